//! The job's start time as the API writes and reads it.

/// `startDateTime` as the API reads it: `yyyy-M-d hh:mm:ss AM|PM`, the date and the clock
/// zero-padded or not (`2025-4-14 1:45:48 PM` and `2025-04-14 01:45:48 PM` are the same time),
/// the hour 1..12, `AM`/`PM` in any case.
const START_DATE_TIME_IN: time::format_description::StaticFormatDescription = time::macros::format_description!(
    "[year]-[month padding:none]-[day padding:none] [hour repr:12 padding:none]:[minute padding:none]:[second padding:none] [period case:upper case_sensitive:false]"
);

/// The server's spelling of a start time: unpadded date, padded 12-hour clock.
const START_DATE_TIME_OUT: time::format_description::StaticFormatDescription = time::macros::format_description!(
    "[year]-[month padding:none]-[day padding:none] [hour repr:12]:[minute]:[second] [period]"
);

/// Parses `startDateTime` as the API writes it ([`START_DATE_TIME_IN`]); any run of
/// whitespace separates the date, the clock and AM/PM, and the year has no sign.
pub fn parse_start_date_time(s: &str) -> Option<time::PrimitiveDateTime> {
    let words = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !words.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    time::PrimitiveDateTime::parse(&words, START_DATE_TIME_IN).ok()
}

/// The server's spelling of a start time: unpadded date, padded 12-hour clock.
pub fn format_start_date_time(t: time::PrimitiveDateTime) -> String {
    t.format(START_DATE_TIME_OUT)
        .expect("a PrimitiveDateTime has every component of the format")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_times_read_back_in_the_server_spelling() {
        let padded = parse_start_date_time("2025-04-14 01:45:48 PM").unwrap();
        assert_eq!(Some(padded), parse_start_date_time("2025-4-14 01:45:48 PM"));
        assert_eq!(format_start_date_time(padded), "2025-4-14 01:45:48 PM");
        assert_eq!(
            format_start_date_time(parse_start_date_time("2022-2-20 12:18:30 AM").unwrap()),
            "2022-2-20 12:18:30 AM"
        );
        for bad in [
            "2025-2-30 01:00:00 PM",
            "2025-4-14 13:00:00 PM",
            "2025-4-14",
            "soon",
        ] {
            assert_eq!(parse_start_date_time(bad), None, "{bad}");
        }
    }

    /// `y-m-d h:mi:s` on the 24-hour clock, for the start time tests.
    fn at(y: i32, m: u8, d: u8, h: u8, mi: u8, sec: u8) -> time::PrimitiveDateTime {
        time::PrimitiveDateTime::new(
            time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap(),
            time::Time::from_hms(h, mi, sec).unwrap(),
        )
    }

    #[test]
    fn start_times_accept_padded_or_unpadded_parts_and_am_pm_in_any_case() {
        let pm = at(2025, 4, 14, 13, 45, 48);
        for good in [
            "2025-04-14 01:45:48 PM",
            "2025-4-14 01:45:48 PM",
            "2025-4-14 1:45:48 PM",
            "2025-04-14 1:45:48 PM",
            "2025-4-14 01:45:48 pm",
            "2025-4-14 01:45:48 Pm",
            "2025-4-14 01:45:48 pM",
            // any run of whitespace between the three words, and around them
            "  2025-4-14   01:45:48\tPM \n",
        ] {
            assert_eq!(parse_start_date_time(good), Some(pm), "{good:?}");
        }
        for (text, want) in [
            ("2025-4-14 1:5:8 PM", at(2025, 4, 14, 13, 5, 8)),
            ("2025-4-14 01:05:08 am", at(2025, 4, 14, 1, 5, 8)),
            ("2025-4-14 12:00:00 AM", at(2025, 4, 14, 0, 0, 0)),
            ("2025-4-14 12:59:59 AM", at(2025, 4, 14, 0, 59, 59)),
            ("2025-4-14 12:00:00 PM", at(2025, 4, 14, 12, 0, 0)),
            ("2025-4-14 11:59:59 PM", at(2025, 4, 14, 23, 59, 59)),
            ("2025-12-31 11:59:59 AM", at(2025, 12, 31, 11, 59, 59)),
            ("2025-1-1 01:00:00 AM", at(2025, 1, 1, 1, 0, 0)),
            ("2024-2-29 01:00:00 AM", at(2024, 2, 29, 1, 0, 0)),
            ("0999-1-1 01:00:00 AM", at(999, 1, 1, 1, 0, 0)),
        ] {
            assert_eq!(parse_start_date_time(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn start_times_reject_other_shapes_and_impossible_values() {
        for bad in [
            "",
            "soon",
            "2025-4-14",
            "2025-4-14 01:45:48",
            "01:45:48 PM",
            // hour 1..12 only
            "2025-4-14 00:45:48 AM",
            "2025-4-14 0:45:48 PM",
            "2025-4-14 13:00:00 PM",
            "2025-4-14 13:00:00 AM",
            "2025-4-14 24:00:00 AM",
            // at most two digits on the clock, all three parts there
            "2025-4-14 001:45:48 PM",
            "2025-4-14 01:045:48 PM",
            "2025-4-14 01:45:048 PM",
            "2025-4-14 01:45 PM",
            "2025-4-14 01::48 PM",
            "2025-4-14 01:60:00 PM",
            "2025-4-14 01:45:60 PM",
            // the year has four digits, no sign
            "25-4-14 01:45:48 PM",
            "02025-4-14 01:45:48 PM",
            "+2025-4-14 01:45:48 PM",
            "-2025-4-14 01:45:48 PM",
            // calendar dates only
            "2025-0-14 01:45:48 PM",
            "2025-13-14 01:45:48 PM",
            "2025-4-0 01:45:48 PM",
            "2025-4-31 01:45:48 PM",
            "2025-2-30 01:00:00 PM",
            "2023-2-29 01:00:00 PM",
            "2025-4 01:45:48 PM",
            "2025-4-14-1 01:45:48 PM",
            "2025/4/14 01:45:48 PM",
            "2025-4-14T01:45:48 PM",
            // AM or PM, nothing else, and nothing after it
            "2025-4-14 01:45:48 XM",
            "2025-4-14 01:45:48 P.M.",
            "2025-4-14 01:45:48 PMT",
            "2025-4-14 01:45:48PM",
            "2025-4-14 01:45:48 PM UTC",
            "2025-4-14 01:45:48 PM x",
        ] {
            assert_eq!(parse_start_date_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn start_times_are_written_with_an_unpadded_date_and_a_padded_12_hour_clock() {
        for (t, want) in [
            (at(2025, 4, 14, 13, 45, 48), "2025-4-14 01:45:48 PM"),
            (at(2025, 4, 14, 0, 5, 0), "2025-4-14 12:05:00 AM"),
            (at(2025, 4, 14, 12, 0, 0), "2025-4-14 12:00:00 PM"),
            (at(2025, 4, 14, 1, 2, 3), "2025-4-14 01:02:03 AM"),
            (at(2025, 12, 31, 23, 59, 59), "2025-12-31 11:59:59 PM"),
        ] {
            assert_eq!(format_start_date_time(t), want);
            assert_eq!(parse_start_date_time(want), Some(t), "{want} reads back");
        }
    }
}
