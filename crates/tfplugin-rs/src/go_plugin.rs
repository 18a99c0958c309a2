//! go-plugin's own services, served beside the provider.
//!
//! - `GRPCController.Shutdown`: terraform's "exit now"; the process must be gone within
//!   2 s or terraform kills it and logs a warning.
//! - `GRPCStdio.StreamStdio` and `GRPCBroker.StartStream`: terraform opens both on every
//!   connection and keeps them open. Nothing is sent on them (logs go to stderr, and
//!   providers broker no connections); they end when shutdown begins, so that a graceful
//!   server shutdown does not wait on them.

use futures::{Stream, StreamExt};
use tokio::sync::watch;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status, Streaming};

use super::proto::go_plugin::{
    grpc_broker_server::GrpcBroker, grpc_controller_server::GrpcController,
    grpc_stdio_server::GrpcStdio, ConnInfo, Empty, StdioData,
};

/// Flips once, from running to shutting down.
#[derive(Clone)]
pub(crate) struct ShutdownSignal {
    tx: watch::Sender<bool>,
}

impl Default for ShutdownSignal {
    fn default() -> Self {
        ShutdownSignal {
            tx: watch::Sender::new(false),
        }
    }
}

impl ShutdownSignal {
    pub(crate) fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Completes once shutdown has begun.
    pub(crate) async fn wait(&self) {
        let mut rx = self.tx.subscribe();
        let _ = rx.wait_for(|down| *down).await;
    }

    /// A stream that yields nothing and ends at shutdown, or when `also_end` completes.
    fn quiet_stream<T: Send + 'static>(
        &self,
        also_end: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> impl Stream<Item = Result<T, Status>> + Send + 'static {
        let signal = self.clone();
        futures::stream::once(async move {
            tokio::select! {
                _ = signal.wait() => {}
                _ = also_end => {}
            }
        })
        .filter_map(|_| async { None })
    }
}

pub(crate) struct Controller {
    pub shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown: exiting");
        self.shutdown.trigger();
        Ok(Response::new(Empty {}))
    }
}

pub(crate) struct Stdio {
    pub shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        Ok(Response::new(Box::pin(
            self.shutdown.quiet_stream(std::future::pending()),
        )))
    }
}

pub(crate) struct Broker {
    pub shutdown: ShutdownSignal,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        let mut inbound = request.into_inner();
        // Read (and ignore) whatever terraform sends; the stream ends with it.
        let drained = async move {
            while let Some(Ok(info)) = inbound.next().await {
                tracing::debug!(
                    service_id = info.service_id,
                    "GRPCBroker: ignoring a brokered connection request"
                );
            }
        };
        Ok(Response::new(Box::pin(self.shutdown.quiet_stream(drained))))
    }
}
