//! Deletes and status changes asked for by many callers at about the same time go out as one
//! call with all their IDs (`DELETE /pm/v1/deploymentjobs`, `POST .../update/status/{s}` both
//! take a list): the first caller waits for others until they stop arriving and sends for
//! all; what arrives while its call is in flight waits, and one of those callers sends it
//! next. Every caller gets its own job's result. Terraform's `-parallelism` (10 by default)
//! bounds how many arrive together.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{oneshot, Notify};

use crate::error::Operation;
use crate::model::JobStatus;
use crate::Error;

use super::Client;

/// The sender waits for others until as many wait as ever came at once, or none has arrived
/// for four times the usual gap between two (at least this long): terraform starts its first
/// parallel operations a few milliseconds apart, but each next one only once an earlier
/// one's answer is recorded (30 to 60 ms apart in a state of 300 resources, with pauses of
/// over 100 ms), so a fixed short window would catch only the first wave.
const GATHER_QUIET: Duration = Duration::from_millis(100);
/// The longest the sender gathers, however steadily others keep arriving.
const GATHER_MAX: Duration = Duration::from_secs(1);
/// How often the gathering sender looks at the queue.
const GATHER_POLL: Duration = Duration::from_millis(5);
/// Most IDs in one call (the API documents no limit; a body of 100 IDs is about 4 KB).
const MAX_BATCH: usize = 100;

/// One kind of batched write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Write {
    Delete,
    Status(JobStatus),
}

/// A caller's request: its ticket (to find it in the queue), its job and where its result goes.
struct Waiter {
    ticket: u64,
    id: String,
    result: oneshot::Sender<Result<(), Error>>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiter>,
    tickets: u64,
    /// Callers between asking and hearing their result, and the most there have been at once:
    /// terraform's `-parallelism` as seen from here, so a call goes out as soon as that many
    /// wait.
    outstanding: usize,
    peak: usize,
    /// When the last request joined, and the usual time between two joining (a moving
    /// average of the gaps under `GATHER_MAX`): terraform's pace, slower in a bigger state.
    last_joined: Option<Instant>,
    pace: Duration,
    /// Calls sent so far (before the first, `peak` is still growing).
    calls: u64,
    /// A caller is sending this queue's calls (and takes what arrives meanwhile).
    sending: bool,
}

/// The queues of one kind of write.
#[derive(Default)]
pub(crate) struct Batch {
    queue: Mutex<Queue>,
    /// Woken when a sender stops (also when it was cancelled), so a waiter takes over.
    idle: Notify,
}

/// The batches of a client: deletes, enables, disables.
#[derive(Default)]
pub(crate) struct Batches {
    delete: Arc<Batch>,
    enable: Arc<Batch>,
    disable: Arc<Batch>,
}

impl Batches {
    fn of(&self, write: Write) -> &Batch {
        match write {
            Write::Delete => &self.delete,
            Write::Status(JobStatus::Enabled) => &self.enable,
            Write::Status(JobStatus::Disabled) => &self.disable,
        }
    }
}

impl Queue {
    fn joined(&mut self, now: Instant) {
        if let Some(gap) = self.last_joined.map(|last| now - last) {
            if gap < GATHER_MAX {
                self.pace = (self.pace * 3 + gap) / 4;
            }
        }
        self.last_joined = Some(now);
    }
}

impl Batch {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Marks the queue idle when its sender stops, however it stops.
struct Sending<'a>(&'a Batch);

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        self.0.lock().sending = false;
        self.0.idle.notify_waiters();
    }
}

/// A caller's request in the queue: taken out when the caller goes away before it was sent
/// (its RPC was cancelled), so that nothing is sent for it.
struct Enqueued<'a> {
    batch: &'a Batch,
    ticket: u64,
}

impl Drop for Enqueued<'_> {
    fn drop(&mut self) {
        let mut queue = self.batch.lock();
        queue.waiting.retain(|w| w.ticket != self.ticket);
        queue.outstanding -= 1;
    }
}

impl Client {
    /// Deletes job `id` in one call with the deletes other callers ask for at about the same
    /// time. A job already gone counts as deleted.
    pub async fn delete_job(&self, id: &str) -> Result<(), Error> {
        self.batched(Write::Delete, id).await
    }

    /// Sets job `id`'s status in one call with the same change asked for other jobs at about
    /// the same time.
    pub async fn set_job_status(&self, id: &str, status: JobStatus) -> Result<(), Error> {
        self.batched(Write::Status(status), id).await
    }

    async fn batched(&self, write: Write, id: &str) -> Result<(), Error> {
        let batch = self.batches.of(write);
        let (result, mut rx) = oneshot::channel();
        let ticket = {
            let mut queue = batch.lock();
            queue.tickets += 1;
            queue.outstanding += 1;
            queue.peak = queue.peak.max(queue.outstanding);
            queue.joined(Instant::now());
            let ticket = queue.tickets;
            queue.waiting.push(Waiter {
                ticket,
                id: id.to_owned(),
                result,
            });
            ticket
        };
        let _enqueued = Enqueued { batch, ticket };
        // Whoever finds the queue idle with its own request still waiting sends for all; the
        // others wait for their result, or for the sender to stop (it may have been cancelled
        // before taking their request).
        loop {
            let idle = batch.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            let lead = {
                let mut queue = batch.lock();
                let lead = !queue.sending && queue.waiting.iter().any(|w| w.ticket == ticket);
                if lead {
                    queue.sending = true;
                }
                lead
            };
            if lead {
                let sending = Sending(batch);
                self.send_own(write, batch, ticket).await;
                drop(sending);
            }
            tokio::select! {
                result = &mut rx => {
                    return result.unwrap_or_else(|_| Err(cancelled(write, id)));
                }
                _ = &mut idle => {}
            }
        }
    }

    /// Gathers, then sends the waiting requests of `batch`, `MAX_BATCH` IDs a call, until
    /// the call carrying `ticket` (the sender's own) has gone out. The sender then returns
    /// to its caller, and one of those still waiting takes over: a sender that kept sending
    /// would hold one of terraform's parallel operations, so the next wave could never be
    /// complete.
    async fn send_own(&self, write: Write, batch: &Batch, ticket: u64) {
        loop {
            gather(batch).await;
            let group: Vec<Waiter> = {
                let mut queue = batch.lock();
                queue.calls += 1;
                let n = queue.waiting.len().min(MAX_BATCH);
                queue.waiting.drain(..n).collect()
            };
            if group.is_empty() {
                return;
            }
            let own = group.iter().any(|w| w.ticket == ticket);
            let ids: Vec<&str> = group.iter().map(|w| w.id.as_str()).collect();
            let results = self.write_each(write, &ids).await;
            for (waiter, result) in group.into_iter().zip(results) {
                let _ = waiter.result.send(result);
            }
            if own {
                return;
            }
        }
    }

    /// One call for all `ids`, and each job's result. A call the API refuses as a whole
    /// (a 4xx, which one bad or missing ID may cause) is sent again for each job alone, so
    /// that one job's problem fails that job only.
    async fn write_each(&self, write: Write, ids: &[&str]) -> Vec<Result<(), Error>> {
        let results = self.write_call(write, ids).await;
        if ids.len() > 1 {
            if let Err(Error::Api { status, .. }) = &results {
                if (400..500).contains(status) && *status != 429 {
                    let mut each = Vec::with_capacity(ids.len());
                    for id in ids {
                        let mut one = self.write_call(write, &[id]).await;
                        each.push(
                            one.as_mut().map_or_else(
                                |e| Err(e.clone_for(id)),
                                |r| r.pop().unwrap_or(Ok(())),
                            ),
                        );
                    }
                    return each;
                }
            }
        }
        match results {
            Ok(each) => each,
            Err(e) => ids.iter().map(|id| Err(e.clone_for(id))).collect(),
        }
    }

    async fn write_call(
        &self,
        write: Write,
        ids: &[&str],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        match write {
            Write::Delete => self.delete_jobs_each(ids).await,
            Write::Status(status) => self.set_status_each(ids, status).await,
        }
    }
}

/// Waits until as many requests wait in `batch` as ever were outstanding at once, or none
/// has joined for four times terraform's pace (at least `GATHER_QUIET`), or it is full, or
/// `GATHER_MAX` has passed.
async fn gather(batch: &Batch) {
    let started = Instant::now();
    let _trace = GatherTrace(batch, started);
    let mut seen = batch.lock().tickets;
    let mut quiet_since = Instant::now();
    loop {
        tokio::time::sleep(GATHER_POLL).await;
        let queue = batch.lock();
        let waiting = queue.waiting.len();
        if queue.tickets != seen {
            seen = queue.tickets;
            quiet_since = Instant::now();
        }
        // in the first wave `peak` grows as it arrives: only quiet ends it
        let all_here = queue.calls > 0 && waiting >= queue.peak;
        if all_here
            || quiet_since.elapsed() >= (queue.pace * 4).clamp(GATHER_QUIET, GATHER_MAX)
            || waiting >= MAX_BATCH
            || started.elapsed() >= GATHER_MAX
        {
            return;
        }
    }
}

/// Logs (at TRACE) how a gathering ended: how many waited, of how many at most, after how long.
struct GatherTrace<'a>(&'a Batch, Instant);

impl Drop for GatherTrace<'_> {
    fn drop(&mut self) {
        let queue = self.0.lock();
        tracing::trace!(
            waiting = queue.waiting.len(),
            outstanding = queue.outstanding,
            peak = queue.peak,
            pace_ms = queue.pace.as_millis() as u64,
            gathered_ms = self.1.elapsed().as_millis() as u64,
            "bulk call gathered"
        );
    }
}

fn cancelled(write: Write, id: &str) -> Error {
    Error::ItemFailed {
        operation: match write {
            Write::Delete => Operation::DeleteJobs,
            Write::Status(_) => Operation::SetStatus,
        },
        job_id: id.to_owned(),
        message: "the call carrying this job was cancelled before its answer came; the outcome is unknown".into(),
    }
}
