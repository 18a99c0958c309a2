//! The job's closed vocabularies (platform, type, schedule type, the status a caller sets), each
//! spelled once as the API writes it. The job keeps the server's own text in its fields, so
//! that a value this crate does not know is sent back as received; these types read it.

use std::fmt;

/// An enum over wire names: `as_str` is the one spelling of each value, `ALL` and `NAMES`
/// list them in the same order, `parse` reads a spelling in any case.
macro_rules! wire_names {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the API documentation's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// The wire names of [`Self::ALL`], in the same order.
            pub const NAMES: &'static [&'static str] = &[$($wire,)+];

            /// The API's spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The value spelled `s`, in any case (the API echoes some values in another
            /// case than it documents); `None` for a value outside the vocabulary.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_names! {
    /// The operating system family a job patches (`platform`).
    Platform {
        Windows = "Windows",
        Linux = "Linux",
    }
}

wire_names! {
    /// What a job does (`type`).
    JobType {
        Install = "Install",
        Rollback = "Rollback",
    }
}

wire_names! {
    /// When a job runs (`scheduleType`).
    ScheduleType {
        OnDemand = "On-demand",
        Once = "Once",
        Daily = "Daily",
        Weekly = "Weekly",
        Monthly = "Monthly",
    }
}

wire_names! {
    /// The status a caller can set through the status endpoint. The server reports others
    /// too (an On-demand job's `Prepared`), all of them enabled ones: see [`JobStatus::of_server`].
    JobStatus {
        Enabled = "Enabled",
        Disabled = "Disabled",
    }
}

impl ScheduleType {
    /// On-demand and Once jobs run one time, and cannot be edited or disabled once enabled.
    pub const RUN_ONCE_NAMES: &'static [&'static str] = &names([Self::OnDemand, Self::Once]);
    /// Jobs that run again and again (`recurring` is true for them).
    pub const RECURRING_NAMES: &'static [&'static str] =
        &names([Self::Daily, Self::Weekly, Self::Monthly]);

    pub const fn is_run_once(self) -> bool {
        matches!(self, Self::OnDemand | Self::Once)
    }
}

impl JobStatus {
    /// A status the server reports, as one of the two a caller sets: any status but
    /// `Disabled` (e.g. `Prepared`) is an enabled one.
    pub fn of_server(status: &str) -> JobStatus {
        match JobStatus::parse(status) {
            Some(JobStatus::Disabled) => JobStatus::Disabled,
            _ => JobStatus::Enabled,
        }
    }
}

/// The wire names of `values`, at compile time.
const fn names<const N: usize>(values: [ScheduleType; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = values[i].as_str();
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_list_the_same_vocabulary_in_the_same_order() {
        assert_eq!(Platform::NAMES, ["Windows", "Linux"]);
        assert_eq!(
            ScheduleType::NAMES,
            ["On-demand", "Once", "Daily", "Weekly", "Monthly"]
        );
        assert_eq!(JobStatus::NAMES, ["Enabled", "Disabled"]);
        assert_eq!(JobType::NAMES, ["Install", "Rollback"]);
        for (value, name) in ScheduleType::ALL.iter().zip(ScheduleType::NAMES) {
            assert_eq!(value.as_str(), *name);
            assert_eq!(ScheduleType::parse(name), Some(*value));
        }
    }

    #[test]
    fn every_schedule_is_either_run_once_or_recurring() {
        assert_eq!(ScheduleType::RUN_ONCE_NAMES, ["On-demand", "Once"]);
        assert_eq!(
            ScheduleType::RECURRING_NAMES,
            ["Daily", "Weekly", "Monthly"]
        );
        for s in ScheduleType::ALL {
            let run_once = ScheduleType::RUN_ONCE_NAMES.contains(&s.as_str());
            let recurring = ScheduleType::RECURRING_NAMES.contains(&s.as_str());
            assert!(run_once != recurring, "{s}");
            assert_eq!(s.is_run_once(), run_once, "{s}");
        }
    }

    #[test]
    fn spellings_are_read_in_any_case_and_unknown_ones_are_none() {
        assert_eq!(
            ScheduleType::parse("ON-DEMAND"),
            Some(ScheduleType::OnDemand)
        );
        assert_eq!(Platform::parse("linux"), Some(Platform::Linux));
        assert_eq!(Platform::parse("Mac"), None);
        assert_eq!(
            ScheduleType::parse("On-Demand "),
            Some(ScheduleType::OnDemand)
        );
        assert_eq!(ScheduleType::parse("Hourly"), None);
    }

    #[test]
    fn any_server_status_but_disabled_is_an_enabled_one() {
        assert_eq!(JobStatus::of_server("Disabled"), JobStatus::Disabled);
        assert_eq!(JobStatus::of_server("DISABLED"), JobStatus::Disabled);
        for enabled in ["Enabled", "Prepared", "Completed", "Running"] {
            assert_eq!(
                JobStatus::of_server(enabled),
                JobStatus::Enabled,
                "{enabled}"
            );
        }
    }
}
