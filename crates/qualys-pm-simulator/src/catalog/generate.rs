//! The built-in catalog: a pure function of [`SEED`] and its anchor day (default
//! [`ANCHOR`]). Product lines release patches at their own cadence from 2021 up to the
//! anchor (a later anchor only adds releases: release k of a line keeps its id); assets run an OS and applications, have installed
//! some release of each line that applies to them and miss the newer ones.

use serde_json::{json, Map, Value};

use super::PATCH_ATTRIBUTES;
use time::{Date, Month, Weekday};

pub(super) const SEED: u64 = 0x5157_414c_5953_504d; // "QUALYSPM"

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small deterministic generator, seeded per item.
struct Rng(u64);

impl Rng {
    fn new(salt: &str, a: u64, b: u64) -> Rng {
        let mut h = SEED;
        for byte in salt.bytes() {
            h = mix(h ^ u64::from(byte));
        }
        Rng(mix(mix(h ^ a) ^ b))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn uuid(&mut self) -> String {
        let hi = self.next().to_be_bytes();
        let lo = self.next().to_be_bytes();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi);
        bytes[8..].copy_from_slice(&lo);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

const DAY_MS: i64 = 86_400_000;

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).unwrap_or(Month::January), d)
        .unwrap_or(Date::MIN)
}

fn ms(d: Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp() * 1000
}

/// The second Tuesday of the month of `d`.
fn patch_tuesday(d: Date) -> Date {
    let first = day(d.year(), d.month() as u8, 1);
    let mut t = first;
    while t.weekday() != Weekday::Tuesday {
        t = t.next_day().unwrap_or(t);
    }
    t.saturating_add(time::Duration::days(7))
}

fn next_month(d: Date) -> Date {
    let (y, m) = if d.month() == Month::December {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() as u8 + 1)
    };
    day(y, m, 1)
}

/// How a Windows line names its releases.
#[derive(Clone, Copy)]
enum Win {
    Cu(&'static str),
    DotNet(&'static str),
    Office(&'static str),
    Msrt,
    Edge,
    Sql(&'static str),
    Exchange,
    /// name, first major version, releases per major, bulletin prefix
    App(&'static str, u32, u32, Option<&'static str>),
}

struct WinLine {
    key: &'static str,
    vendor: &'static str,
    family: &'static str,
    products: &'static [&'static str],
    kind: Win,
    /// first release (year, month); `every` 0 = monthly on Patch Tuesday
    from: (i32, u8),
    every: i64,
    download: &'static str,
    reboot: bool,
    security: f64,
    qid_base: u64,
    arch: &'static [&'static str],
}

const X64: &[&str] = &["X64"];
const X86_X64: &[&str] = &["X86", "X64"];

macro_rules! wl {
    ($key:expr, $vendor:expr, $family:expr, $products:expr, $kind:expr, $from:expr, $every:expr, $dl:expr, $reboot:expr, $sec:expr, $qid:expr, $arch:expr) => {
        WinLine {
            key: $key,
            vendor: $vendor,
            family: $family,
            products: $products,
            kind: $kind,
            from: $from,
            every: $every,
            download: $dl,
            reboot: $reboot,
            security: $sec,
            qid_base: $qid,
            arch: $arch,
        }
    };
}

#[rustfmt::skip]
fn windows_lines() -> Vec<WinLine> {
    use Win::*;
    let a = "Automatic";
    let v = "AcquireFromVendor";
    vec![
        wl!("win10-21h2", "Microsoft", "Windows", &["Windows 10 Version 21H2 (x64)"], Cu("Windows 10 Version 21H2 for x64-based Systems"), (2021, 11), 0, a, true, 1.0, 92000, X64),
        wl!("win10-22h2", "Microsoft", "Windows", &["Windows 10 Version 22H2 (x64)"], Cu("Windows 10 Version 22H2 for x64-based Systems"), (2022, 10), 0, a, true, 1.0, 92000, X64),
        wl!("win11-22h2", "Microsoft", "Windows", &["Windows 11 Version 22H2 (x64)"], Cu("Windows 11 Version 22H2 for x64-based Systems"), (2022, 9), 0, a, true, 1.0, 92000, X64),
        wl!("win11-23h2", "Microsoft", "Windows", &["Windows 11 Version 23H2 (x64)"], Cu("Windows 11 Version 23H2 for x64-based Systems"), (2023, 10), 0, a, true, 1.0, 92000, X64),
        wl!("win11-24h2", "Microsoft", "Windows", &["Windows 11 Version 24H2 (x64)"], Cu("Windows 11 Version 24H2 for x64-based Systems"), (2024, 10), 0, a, true, 1.0, 92000, X64),
        wl!("ws2016", "Microsoft", "Windows", &["Windows Server 2016 Standard (x64)", "Windows Server 2016 Datacenter (x64)"], Cu("Windows Server 2016"), (2021, 1), 0, a, true, 1.0, 92000, X64),
        wl!("ws2019", "Microsoft", "Windows", &["Windows Server 2019 Standard (x64)", "Windows Server 2019 Datacenter (x64)"], Cu("Windows Server 2019"), (2021, 1), 0, a, true, 1.0, 92000, X64),
        wl!("ws2022", "Microsoft", "Windows", &["Windows Server 2022 Standard (x64)", "Windows Server 2022 Datacenter (x64)"], Cu("Microsoft server operating system version 21H2 for x64-based Systems"), (2021, 9), 0, a, true, 1.0, 92000, X64),
        wl!("ws2025", "Microsoft", "Windows", &["Windows Server 2025 Standard (x64)", "Windows Server 2025 Datacenter (x64)"], Cu("Microsoft server operating system version 24H2 for x64-based Systems"), (2024, 11), 0, a, true, 1.0, 92000, X64),
        wl!("net-ws2019", "Microsoft", ".NET Framework", &["Microsoft .NET Framework 4.8"], DotNet("Windows Server 2019"), (2021, 1), 0, a, false, 0.7, 92400, X64),
        wl!("net-ws2022", "Microsoft", ".NET Framework", &["Microsoft .NET Framework 4.8.1"], DotNet("Microsoft server operating system version 21H2"), (2021, 9), 0, a, false, 0.7, 92400, X64),
        wl!("net-win10", "Microsoft", ".NET Framework", &["Microsoft .NET Framework 4.8.1"], DotNet("Windows 10 Version 22H2"), (2022, 10), 0, a, false, 0.7, 92400, X64),
        wl!("net-win11", "Microsoft", ".NET Framework", &["Microsoft .NET Framework 4.8.1"], DotNet("Windows 11"), (2022, 9), 0, a, false, 0.7, 92400, X64),
        wl!("excel", "Microsoft", "Office", &["Microsoft Excel 2016"], Office("Microsoft Excel 2016"), (2021, 1), 0, a, false, 0.9, 110300, X86_X64),
        wl!("word", "Microsoft", "Office", &["Microsoft Word 2016"], Office("Microsoft Word 2016"), (2021, 1), 0, a, false, 0.9, 110300, X86_X64),
        wl!("outlook", "Microsoft", "Office", &["Microsoft Outlook 2016"], Office("Microsoft Outlook 2016"), (2021, 1), 0, a, false, 0.9, 110300, X86_X64),
        wl!("office", "Microsoft", "Office", &["Microsoft Office 2016"], Office("Microsoft Office 2016"), (2021, 1), 0, a, false, 0.9, 110300, X86_X64),
        wl!("msrt", "Microsoft", "Windows", &["Windows Malicious Software Removal Tool"], Msrt, (2021, 1), 0, a, false, 0.0, 0, X64),
        wl!("edge", "Microsoft", "Edge", &["Microsoft Edge"], Edge, (2021, 1), 10, a, false, 0.85, 377000, X64),
        wl!("sql2019", "Microsoft", "SQL Server", &["Microsoft SQL Server 2019"], Sql("SQL Server 2019"), (2021, 2), 61, a, true, 0.6, 100400, X64),
        wl!("sql2022", "Microsoft", "SQL Server", &["Microsoft SQL Server 2022"], Sql("SQL Server 2022"), (2023, 1), 61, a, true, 0.6, 100400, X64),
        wl!("exchange", "Microsoft", "Exchange", &["Microsoft Exchange Server 2019"], Exchange, (2021, 3), 61, a, true, 0.9, 50100, X64),
        wl!("chrome", "Google", "Chrome", &["Google Chrome"], App("Google Chrome", 88, 4, None), (2021, 1), 7, a, false, 0.9, 375000, X64),
        wl!("firefox", "Mozilla", "Firefox", &["Mozilla Firefox"], App("Mozilla Firefox", 85, 2, Some("MFSA")), (2021, 1), 14, a, false, 0.85, 376000, X86_X64),
        wl!("firefox-esr", "Mozilla", "Firefox", &["Mozilla Firefox ESR"], App("Mozilla Firefox ESR", 78, 13, Some("MFSA")), (2021, 1), 28, a, false, 0.85, 376000, X86_X64),
        wl!("thunderbird", "Mozilla", "Thunderbird", &["Mozilla Thunderbird"], App("Mozilla Thunderbird", 78, 13, Some("MFSA")), (2021, 1), 28, a, false, 0.8, 376200, X86_X64),
        wl!("reader", "Adobe", "Acrobat Reader", &["Adobe Acrobat Reader DC"], App("Adobe Acrobat Reader DC", 21, 12, Some("APSB")), (2021, 1), 30, a, false, 0.8, 380000, X86_X64),
        wl!("acrobat", "Adobe", "Acrobat", &["Adobe Acrobat DC"], App("Adobe Acrobat DC", 21, 12, Some("APSB")), (2021, 1), 30, a, false, 0.8, 380000, X86_X64),
        wl!("java8", "Oracle", "Java", &["Oracle Java SE 8"], App("Oracle Java SE 8 Update", 281, 1, None), (2021, 1), 91, v, false, 1.0, 372000, X86_X64),
        wl!("java17", "Oracle", "Java", &["Oracle Java SE 17"], App("Oracle Java SE 17.0", 1, 1, None), (2021, 10), 91, v, false, 1.0, 372000, X64),
        wl!("java21", "Oracle", "Java", &["Oracle Java SE 21"], App("Oracle Java SE 21.0", 1, 1, None), (2023, 10), 91, v, false, 1.0, 372000, X64),
        wl!("virtualbox", "Oracle", "VirtualBox", &["Oracle VM VirtualBox"], App("Oracle VM VirtualBox 7.0", 0, 1, None), (2021, 1), 60, a, true, 0.7, 372500, X64),
        wl!("zoom", "Zoom", "Zoom", &["Zoom Workplace"], App("Zoom Workplace", 5, 12, None), (2021, 1), 21, a, false, 0.5, 378000, X64),
        wl!("vlc", "VideoLAN", "VLC", &["VLC media player"], App("VLC media player 3.0", 12, 1, None), (2021, 1), 90, a, false, 0.6, 379000, X86_X64),
        wl!("7zip", "Igor Pavlov", "7-Zip", &["7-Zip"], App("7-Zip", 19, 2, None), (2021, 1), 120, a, false, 0.5, 379500, X86_X64),
        wl!("notepadpp", "Notepad++", "Notepad++", &["Notepad++"], App("Notepad++ 8", 1, 6, None), (2021, 1), 45, a, false, 0.3, 379800, X86_X64),
    ]
}

/// Release dates of a line from `from` to the anchor.
fn release_dates(from: (i32, u8), every: i64, salt: &str, end: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut month = day(from.0, from.1, 1);
    if every == 0 {
        while patch_tuesday(month) <= end {
            out.push(patch_tuesday(month));
            month = next_month(month);
        }
    } else {
        let mut d = month;
        let mut k = 0u64;
        while d <= end {
            out.push(d);
            let jitter = Rng::new(salt, k, 7).below(3) as i64;
            d = d.saturating_add(time::Duration::days(every + jitter - 1));
            k += 1;
        }
    }
    out
}

const SEVERITIES: &[(&str, f64)] = &[
    ("Critical", 0.22),
    ("Important", 0.45),
    ("Moderate", 0.2),
    ("Low", 0.13),
];

fn severity(rng: &mut Rng) -> &'static str {
    let mut x = rng.below(1000) as f64 / 1000.0;
    for (s, w) in SEVERITIES {
        if x < *w {
            return s;
        }
        x -= w;
    }
    "Low"
}

fn cves(rng: &mut Rng, year: i32, max: u64) -> Vec<String> {
    let n = 1 + rng.below(max);
    let mut out: Vec<String> = (0..n)
        .map(|_| {
            let y = if rng.chance(0.15) { year - 1 } else { year };
            format!("CVE-{y}-{}", 20000 + rng.below(40000))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One release, before its line links it to its neighbours.
struct Made {
    line: usize,
    patch: Map<String, Value>,
}

fn base_patch(id: String, title: String, vendor: &str, platform: &str) -> Map<String, Value> {
    let mut m = Map::with_capacity(PATCH_ATTRIBUTES.len());
    for k in PATCH_ATTRIBUTES {
        m.insert((*k).to_owned(), Value::Null);
    }
    m.insert("id".into(), json!(id));
    m.insert("title".into(), json!(title));
    m.insert("vendor".into(), json!(vendor));
    m.insert("platform".into(), json!(platform));
    m.insert("isRollback".into(), json!(false));
    m.insert("enabled".into(), json!(true));
    m.insert("isCustomizedDownloadUrl".into(), json!(false));
    m
}

/// The title, KB and bulletin of the `k`th release of a Windows line, released on `d`.
fn windows_title(
    line: &WinLine,
    k: usize,
    d: Date,
    kb: String,
    rng: &mut Rng,
) -> (String, Option<String>, Option<String>) {
    let ym = format!("{}-{:02}", d.year(), d.month() as u8);
    match line.kind {
        Win::Cu(os) => (
            format!("{ym} Cumulative Update for {os} ({kb})"),
            Some(kb),
            None,
        ),
        Win::DotNet(os) => (
            format!("{ym} Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for {os} ({kb})"),
            Some(kb),
            None,
        ),
        Win::Office(app) => (
            format!("Security Update for {app} ({kb}) 64-Bit Edition"),
            Some(kb),
            None,
        ),
        Win::Msrt => (
            format!(
                "Windows Malicious Software Removal Tool x64 - v5.{} (KB890830)",
                85 + k
            ),
            Some("KB890830".to_owned()),
            None,
        ),
        Win::Edge => (
            format!(
                "Microsoft Edge {}.0.{}.{}",
                88 + k / 6,
                700 + k * 9,
                40 + rng.below(60)
            ),
            None,
            None,
        ),
        Win::Sql(v) => (
            format!("Security Update for {v} CU{} ({kb})", k + 8),
            Some(kb),
            None,
        ),
        Win::Exchange => (
            format!(
                "Security Update for Exchange Server 2019 CU{} ({kb})",
                9 + k / 3
            ),
            Some(kb),
            None,
        ),
        Win::App(name, major, per, bulletin) => {
            let (maj, minor) = (major + k as u32 / per, k as u32 % per);
            let version = match line.key {
                "chrome" => format!("{maj}.0.{}.{}", 4324 + k * 11, 50 + rng.below(150)),
                "java8" => format!("{}", major + k as u32 * 10),
                "java17" | "java21" => format!("{}", major + k as u32),
                "virtualbox" | "vlc" => format!("{}", major + k as u32),
                _ => format!("{maj}.{minor}"),
            };
            // MFSA2025-07 (four-digit year), APSB25-03 (two-digit year)
            let year = if two_digit_year(bulletin) {
                d.year() % 100
            } else {
                d.year()
            };
            let b = bulletin.map(|p| format!("{p}{year}-{:02}", 1 + k % 52));
            (format!("{name} {version}"), None, b)
        }
    }
}

fn windows(lines: &[WinLine], out: &mut Vec<Made>, line_offset: usize, anchor: Date) {
    let start = day(2021, 1, 1);
    for (li, line) in lines.iter().enumerate() {
        let dates = release_dates(line.from, line.every, line.key, anchor);
        for (k, d) in dates.iter().enumerate() {
            let mut rng = Rng::new(line.key, k as u64, 1);
            let days = (*d - start).whole_days().max(0) as u64;
            let kb = format!("KB{}", 5_000_000 + days * 64 + li as u64);
            let security = rng.chance(line.security);
            let (title, kb, bulletin) = windows_title(line, k, *d, kb, &mut rng);
            let sev = if security { severity(&mut rng) } else { "None" };
            let mut m = base_patch(rng.uuid(), title, line.vendor, "Windows");
            m.insert("vendorSeverity".into(), json!(sev));
            m.insert("kb".into(), json!(kb));
            m.insert("bulletin".into(), json!(bulletin));
            m.insert(
                "category".into(),
                json!(if security {
                    "Security Patches"
                } else {
                    "Non-Security Patches"
                }),
            );
            m.insert("isSecurity".into(), json!(security));
            m.insert("rebootRequired".into(), json!(line.reboot));
            m.insert("downloadMethod".into(), json!(line.download));
            m.insert("appFamily".into(), json!([line.family]));
            m.insert("product".into(), json!(line.products));
            m.insert("architecture".into(), json!(line.arch));
            let cve_list = if security {
                cves(&mut rng, d.year(), 8)
            } else {
                Vec::new()
            };
            let qids: Vec<String> = if security && line.qid_base > 0 {
                let month_index = days / 30;
                (0..1 + rng.below(2))
                    .map(|j| (line.qid_base + month_index * 3 + j).to_string())
                    .collect()
            } else {
                Vec::new()
            };
            m.insert("cve".into(), json!(cve_list));
            m.insert("qid".into(), json!(qids));
            m.insert("packageDetails".into(), json!([]));
            m.insert(
                "vendorlink".into(),
                json!(windows_link(
                    line.vendor,
                    kb.as_deref(),
                    bulletin.as_deref()
                )),
            );
            let published = ms(*d) + 17 * 3_600_000;
            let modified = (published + rng.below(45) as i64 * DAY_MS).min(ms(anchor) + DAY_MS - 1);
            m.insert("publishedDate".into(), json!(published));
            m.insert("modifiedDate".into(), json!(modified));
            out.push(Made {
                line: line_offset + li,
                patch: m,
            });
        }
    }
}

fn two_digit_year(prefix: Option<&str>) -> bool {
    prefix == Some("APSB")
}

/// The vendor's advisory page for a Windows patch (public URL patterns).
fn windows_link(vendor: &str, kb: Option<&str>, bulletin: Option<&str>) -> String {
    match (vendor, kb, bulletin) {
        ("Microsoft", Some(kb), _) => format!("https://support.microsoft.com/help/{}", &kb[2..]),
        ("Microsoft", None, _) => {
            "https://learn.microsoft.com/deployedge/microsoft-edge-relnotes-security".into()
        }
        ("Mozilla", _, Some(b)) => format!(
            "https://www.mozilla.org/security/advisories/{}/",
            b.to_lowercase()
        ),
        ("Adobe", _, Some(b)) => format!(
            "https://helpx.adobe.com/security/products/acrobat/{}.html",
            b.to_lowercase()
        ),
        ("Google", _, _) => "https://chromereleases.googleblog.com/".into(),
        ("Oracle", _, _) => "https://www.oracle.com/security-alerts/".into(),
        ("Zoom", _, _) => "https://www.zoom.com/en/trust/security-bulletin/".into(),
        ("VideoLAN", _, _) => "https://www.videolan.org/security/".into(),
        ("Igor Pavlov", _, _) => "https://www.7-zip.org/history.txt".into(),
        _ => "https://notepad-plus-plus.org/news/".into(),
    }
}

/// The distribution's page for a Linux advisory (public URL patterns).
fn linux_link(style: &str, advisory: &str, year: i32) -> String {
    match style {
        "RH" => format!("https://access.redhat.com/errata/{advisory}"),
        "USN" => format!("https://ubuntu.com/security/notices/{advisory}"),
        "DSA" => format!(
            "https://www.debian.org/security/{year}/{}",
            advisory.to_lowercase().trim_end_matches("-1")
        ),
        "SUSE" => format!(
            "https://www.suse.com/support/update/announcement/{year}/{}/",
            advisory.to_lowercase().replace(':', "")
        ),
        "ELSA" => format!("https://linux.oracle.com/errata/{advisory}.html"),
        _ => format!("https://alas.aws.amazon.com/AL2/{advisory}.html"),
    }
}

struct Distro {
    key: &'static str,
    vendor: &'static str,
    product: &'static str,
    style: &'static str,
    from: (i32, u8),
    qid_base: u64,
    pkg_suffix: &'static str,
}

#[rustfmt::skip]
const DISTROS: &[Distro] = &[
    Distro { key: "rhel8", vendor: "Red Hat", product: "Red Hat Enterprise Linux 8", style: "RH", from: (2021, 1), qid_base: 239000, pkg_suffix: "el8" },
    Distro { key: "rhel9", vendor: "Red Hat", product: "Red Hat Enterprise Linux 9", style: "RH", from: (2022, 5), qid_base: 241000, pkg_suffix: "el9" },
    Distro { key: "ubuntu2004", vendor: "Canonical", product: "Ubuntu 20.04 LTS", style: "USN", from: (2021, 1), qid_base: 198000, pkg_suffix: "0ubuntu0.20.04" },
    Distro { key: "ubuntu2204", vendor: "Canonical", product: "Ubuntu 22.04 LTS", style: "USN", from: (2022, 4), qid_base: 198000, pkg_suffix: "0ubuntu0.22.04" },
    Distro { key: "ubuntu2404", vendor: "Canonical", product: "Ubuntu 24.04 LTS", style: "USN", from: (2024, 4), qid_base: 198000, pkg_suffix: "0ubuntu0.24.04" },
    Distro { key: "debian11", vendor: "Debian", product: "Debian 11", style: "DSA", from: (2021, 8), qid_base: 178000, pkg_suffix: "deb11u" },
    Distro { key: "debian12", vendor: "Debian", product: "Debian 12", style: "DSA", from: (2023, 6), qid_base: 178000, pkg_suffix: "deb12u" },
    Distro { key: "sles15", vendor: "SUSE", product: "SUSE Linux Enterprise Server 15 SP5", style: "SUSE", from: (2023, 6), qid_base: 751000, pkg_suffix: "150500" },
    Distro { key: "ol8", vendor: "Oracle", product: "Oracle Linux 8", style: "ELSA", from: (2021, 1), qid_base: 159000, pkg_suffix: "el8" },
    Distro { key: "ol9", vendor: "Oracle", product: "Oracle Linux 9", style: "ELSA", from: (2022, 7), qid_base: 159000, pkg_suffix: "el9" },
    Distro { key: "amzn2", vendor: "Amazon", product: "Amazon Linux 2", style: "ALAS", from: (2021, 1), qid_base: 352000, pkg_suffix: "amzn2" },
];

/// package, release every N days, max CVEs, reboot, subpackages
#[rustfmt::skip]
const PACKAGES: &[(&str, i64, u64, bool, &[&str])] = &[
    ("kernel", 42, 20, true, &["kernel", "kernel-core", "kernel-modules"]),
    ("openssl", 150, 4, false, &["openssl", "openssl-libs"]),
    ("glibc", 240, 3, true, &["glibc", "glibc-common"]),
    ("openssh", 200, 3, false, &["openssh", "openssh-server", "openssh-clients"]),
    ("curl", 120, 5, false, &["curl", "libcurl"]),
    ("sudo", 300, 2, false, &["sudo"]),
    ("bind", 180, 4, false, &["bind", "bind-libs"]),
    ("httpd", 150, 5, false, &["httpd", "mod_ssl"]),
    ("nginx", 240, 3, false, &["nginx"]),
    ("postgresql", 150, 3, false, &["postgresql", "postgresql-server"]),
    ("mysql", 120, 12, false, &["mysql", "mysql-server"]),
    ("python3", 180, 4, false, &["python3", "python3-libs"]),
    ("java-17-openjdk", 91, 8, false, &["java-17-openjdk", "java-17-openjdk-headless"]),
    ("systemd", 270, 2, true, &["systemd", "systemd-libs"]),
    ("git", 200, 4, false, &["git", "git-core"]),
    ("vim", 150, 6, false, &["vim-enhanced", "vim-common"]),
    ("samba", 200, 5, false, &["samba", "samba-client-libs"]),
    ("krb5", 300, 2, false, &["krb5-libs"]),
    ("libxml2", 240, 3, false, &["libxml2"]),
    ("firefox", 42, 10, false, &["firefox"]),
];

/// The advisory ID and the title of a Linux release, in the style of its distribution.
fn linux_advisory(
    style: &str,
    security: bool,
    pkg: &str,
    sev: &str,
    y: i32,
    days: u64,
    rng: &mut Rng,
) -> (String, String) {
    let n = 1000 + rng.below(9000);
    match (style, security) {
        ("RH", true) => {
            let a = format!("RHSA-{y}:{n}");
            (a.clone(), format!("{a}: {pkg} security update ({sev})"))
        }
        ("RH", false) => {
            let a = format!("RHBA-{y}:{n}");
            (
                a.clone(),
                format!("{a}: {pkg} bug fix and enhancement update"),
            )
        }
        ("USN", _) => {
            let a = format!("USN-{}-1", 4700 + days * 2 / 3 + rng.below(3));
            (a.clone(), format!("{a}: {pkg} vulnerabilities"))
        }
        ("DSA", _) => {
            let a = format!("DSA-{}-1", 4830 + days / 2);
            (a.clone(), format!("{a}: {pkg} - security update"))
        }
        ("SUSE", true) => {
            let a = format!("SUSE-SU-{y}:{n}-1");
            (
                a.clone(),
                format!("{a}: {}: Security update for {pkg}", sev.to_lowercase()),
            )
        }
        ("SUSE", false) => {
            let a = format!("SUSE-RU-{y}:{n}-1");
            (a.clone(), format!("{a}: Recommended update for {pkg}"))
        }
        ("ELSA", true) => {
            let a = format!("ELSA-{y}-{n}");
            (
                a.clone(),
                format!("{a}: {pkg} security update ({})", sev.to_uppercase()),
            )
        }
        ("ELSA", false) => {
            let a = format!("ELBA-{y}-{n}");
            (a.clone(), format!("{a}: {pkg} bug fix update"))
        }
        _ => {
            let a = format!("ALAS2-{y}-{}", 1500 + days / 2);
            (a.clone(), format!("{a}: {pkg} security update ({sev})"))
        }
    }
}

fn linux(out: &mut Vec<Made>, line_offset: usize, anchor: Date) -> usize {
    let start = day(2021, 1, 1);
    let mut line = line_offset;
    for distro in DISTROS {
        for (pkg, every, max_cves, reboot, subs) in PACKAGES {
            let salt = format!("{}/{pkg}", distro.key);
            let dates = release_dates(distro.from, *every, &salt, anchor);
            for (k, d) in dates.iter().enumerate() {
                let mut rng = Rng::new(&salt, k as u64, 2);
                let days = (*d - start).whole_days().max(0) as u64;
                let y = d.year();
                let security = distro.style == "USN"
                    || distro.style == "DSA"
                    || distro.style == "ALAS"
                    || rng.chance(0.82);
                let sev = if security { severity(&mut rng) } else { "None" };
                let (advisory, title) =
                    linux_advisory(distro.style, security, pkg, sev, y, days, &mut rng);
                let version = format!("{}.{}.{}", 1 + rng.below(5), rng.below(20), k);
                let arch = "x86_64";
                let mut m = base_patch(rng.uuid(), title, distro.vendor, "Linux");
                m.insert("vendorSeverity".into(), json!(sev));
                m.insert("advisory".into(), json!(advisory));
                m.insert(
                    "category".into(),
                    json!(if security {
                        "Security Patches"
                    } else {
                        "Non-Security Patches"
                    }),
                );
                m.insert("isSecurity".into(), json!(security));
                // Linux patches report isSuperseded as null (sync tool comment).
                m.insert("isSuperseded".into(), Value::Null);
                m.insert("rebootRequired".into(), json!(reboot));
                m.insert("downloadMethod".into(), json!("Automatic"));
                m.insert("appFamily".into(), json!([pkg]));
                m.insert("product".into(), json!([distro.product]));
                m.insert("architecture".into(), json!([arch]));
                let cve_list = if security {
                    cves(&mut rng, y, *max_cves)
                } else {
                    Vec::new()
                };
                let qids: Vec<String> = if security {
                    vec![(distro.qid_base + days + rng.below(7)).to_string()]
                } else {
                    Vec::new()
                };
                m.insert("cve".into(), json!(cve_list));
                m.insert("qid".into(), json!(qids));
                m.insert("supersedes".into(), json!([]));
                m.insert("supersededBy".into(), json!([]));
                m.insert(
                    "packageDetails".into(),
                    Value::Array(
                        subs.iter()
                            .map(|s| {
                                json!({"packageName": format!("{s}-{version}-{}.{}", k + 1, distro.pkg_suffix), "architecture": arch})
                            })
                            .collect(),
                    ),
                );
                m.insert(
                    "vendorlink".into(),
                    json!(linux_link(distro.style, &advisory, y)),
                );
                let published = ms(*d) + (8 + rng.below(10) as i64) * 3_600_000;
                let modified =
                    (published + rng.below(20) as i64 * DAY_MS).min(ms(anchor) + DAY_MS - 1);
                m.insert("publishedDate".into(), json!(published));
                m.insert("modifiedDate".into(), json!(modified));
                out.push(Made { line, patch: m });
            }
            line += 1;
        }
    }
    line
}

struct Tag {
    name: &'static str,
    id: String,
}

const TAG_NAMES: &[&str] = &[
    "Cloud Agent",
    "Windows",
    "Linux",
    "Production",
    "Staging",
    "Development",
    "Web Servers",
    "Database Servers",
    "Application Servers",
    "Kubernetes",
    "Domain Controllers",
    "Mail Servers",
    "File Servers",
    "Build Servers",
    "Workstations",
    "PCI",
    "DMZ",
    "EU",
    "US",
];

/// name prefix, count, role tag, role, [(os, platform, line keys)] chosen per asset
struct Group {
    prefix: &'static str,
    count: usize,
    width: usize,
    role_tag: &'static str,
    /// (operating system, platform key: a Windows line key or a distro key)
    systems: &'static [(&'static str, &'static str)],
    /// extra Windows line keys or Linux packages this role runs
    extra: &'static [&'static str],
}

#[rustfmt::skip]
const LINUX_BASE: &[&str] = &["kernel", "openssl", "glibc", "openssh", "curl", "sudo", "systemd", "python3", "krb5", "libxml2", "vim"];
#[rustfmt::skip]
const WIN_SERVER_APPS: &[&str] = &["edge", "msrt", "7zip", "notepadpp", "java17"];
#[rustfmt::skip]
const WIN_DESKTOP_APPS: &[&str] = &["edge", "msrt", "chrome", "firefox", "reader", "zoom", "7zip", "vlc", "excel", "word", "outlook", "office", "java8"];

#[rustfmt::skip]
const GROUPS: &[Group] = &[
    Group { prefix: "web", count: 36, width: 2, role_tag: "Web Servers", systems: &[("Red Hat Enterprise Linux 9.4", "rhel9"), ("Ubuntu 22.04.4 LTS", "ubuntu2204"), ("Ubuntu 24.04.1 LTS", "ubuntu2404")], extra: &["httpd", "nginx", "bind"] },
    Group { prefix: "web-iis", count: 12, width: 2, role_tag: "Web Servers", systems: &[("Windows Server 2022 Datacenter 21H2", "ws2022"), ("Windows Server 2019 Standard 1809", "ws2019")], extra: &["net-ws2022", "net-ws2019"] },
    Group { prefix: "db", count: 24, width: 2, role_tag: "Database Servers", systems: &[("Red Hat Enterprise Linux 8.10", "rhel8"), ("Oracle Linux 9.4", "ol9"), ("Oracle Linux 8.10", "ol8")], extra: &["postgresql", "mysql"] },
    Group { prefix: "db-mssql", count: 6, width: 2, role_tag: "Database Servers", systems: &[("Windows Server 2019 Datacenter 1809", "ws2019"), ("Windows Server 2022 Standard 21H2", "ws2022")], extra: &["sql2019", "sql2022", "net-ws2019", "net-ws2022"] },
    Group { prefix: "app", count: 40, width: 2, role_tag: "Application Servers", systems: &[("Ubuntu 22.04.4 LTS", "ubuntu2204"), ("Debian GNU/Linux 12 (bookworm)", "debian12"), ("Debian GNU/Linux 11 (bullseye)", "debian11"), ("Ubuntu 20.04.6 LTS", "ubuntu2004")], extra: &["java-17-openjdk", "git"] },
    Group { prefix: "cache", count: 12, width: 2, role_tag: "Application Servers", systems: &[("Debian GNU/Linux 12 (bookworm)", "debian12"), ("Ubuntu 22.04.4 LTS", "ubuntu2204")], extra: &[] },
    Group { prefix: "k8s-node", count: 30, width: 2, role_tag: "Kubernetes", systems: &[("Ubuntu 22.04.4 LTS", "ubuntu2204"), ("Ubuntu 24.04.1 LTS", "ubuntu2404"), ("Amazon Linux 2", "amzn2")], extra: &[] },
    Group { prefix: "build", count: 10, width: 2, role_tag: "Build Servers", systems: &[("Ubuntu 22.04.4 LTS", "ubuntu2204"), ("SUSE Linux Enterprise Server 15 SP5", "sles15")], extra: &["git", "java-17-openjdk", "samba"] },
    Group { prefix: "jump", count: 4, width: 2, role_tag: "DMZ", systems: &[("Red Hat Enterprise Linux 9.4", "rhel9")], extra: &[] },
    Group { prefix: "mail", count: 4, width: 2, role_tag: "Mail Servers", systems: &[("Windows Server 2019 Standard 1809", "ws2019")], extra: &["exchange", "net-ws2019"] },
    Group { prefix: "dc", count: 6, width: 2, role_tag: "Domain Controllers", systems: &[("Windows Server 2022 Standard 21H2", "ws2022"), ("Windows Server 2025 Standard 24H2", "ws2025")], extra: &["net-ws2022"] },
    Group { prefix: "file", count: 8, width: 2, role_tag: "File Servers", systems: &[("Windows Server 2016 Standard 1607", "ws2016"), ("Windows Server 2019 Standard 1809", "ws2019")], extra: &["net-ws2019"] },
    Group { prefix: "ws", count: 108, width: 4, role_tag: "Workstations", systems: &[("Windows 11 Enterprise 23H2", "win11-23h2"), ("Windows 11 Enterprise 24H2", "win11-24h2"), ("Windows 10 Enterprise 22H2", "win10-22h2"), ("Windows 11 Pro 22H2", "win11-22h2")], extra: &["net-win11", "net-win10"] },
];

/// The patches and assets of the built-in catalog as of `anchor` (its newest day).
pub(super) fn catalog(anchor: Date) -> (Vec<Value>, Vec<Value>) {
    let win = windows_lines();
    let mut made = Vec::new();
    windows(&win, &mut made, 0, anchor);
    let lines_total = linux(&mut made, win.len(), anchor);
    // Line index -> the releases of that line, in order.
    let mut by_line: Vec<Vec<usize>> = vec![Vec::new(); lines_total];
    for (i, m) in made.iter().enumerate() {
        by_line[m.line].push(i);
    }
    link_windows_supersedence(&mut made, by_line.iter().take(win.len()));
    let releases = Releases {
        win: &win,
        by_line: &by_line,
        made: &made,
    };
    let tags: Vec<Tag> = TAG_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| Tag {
            name,
            id: Rng::new("tag", i as u64, 0).uuid(),
        })
        .collect();
    let mut assets = Vec::new();
    for group in GROUPS {
        for n in 1..=group.count {
            let rng = Rng::new("asset", assets.len() as u64, 3);
            let name = format!("{}-{:0width$}", group.prefix, n, width = group.width);
            assets.push(asset(group, name, rng, &releases, &tags, ms(anchor)));
        }
    }
    let patches = made.into_iter().map(|m| Value::Object(m.patch)).collect();
    (patches, assets)
}

/// Windows supersedence: each release supersedes the previous one of its line.
fn link_windows_supersedence<'a>(
    made: &mut [Made],
    windows_lines: impl Iterator<Item = &'a Vec<usize>>,
) {
    for releases in windows_lines {
        for (k, &i) in releases.iter().enumerate() {
            let prev = k
                .checked_sub(1)
                .map(|p| made[releases[p]].patch["id"].clone());
            let next = releases.get(k + 1).map(|&n| made[n].patch["id"].clone());
            let p = &mut made[i].patch;
            p.insert("isSuperseded".into(), json!(next.is_some()));
            p.insert(
                "supersedes".into(),
                Value::Array(prev.into_iter().collect()),
            );
            p.insert(
                "supersededBy".into(),
                Value::Array(next.into_iter().collect()),
            );
        }
    }
}

/// The generated releases, by product line (Windows lines first, then distro x package).
struct Releases<'a> {
    win: &'a [WinLine],
    by_line: &'a [Vec<usize>],
    made: &'a [Made],
}

impl Releases<'_> {
    /// The line of a software key: a Windows line key, or `distro/package`.
    fn line_of(&self, key: &str) -> Option<usize> {
        if let Some(i) = self.win.iter().position(|l| l.key == key) {
            return Some(i);
        }
        let (distro, pkg) = key.split_once('/')?;
        let d = DISTROS.iter().position(|x| x.key == distro)?;
        let p = PACKAGES.iter().position(|x| x.0 == pkg)?;
        Some(self.win.len() + d * PACKAGES.len() + p)
    }

    /// The installed and the missing patches of an asset with this software: each line is
    /// up to date or a few releases behind.
    fn patch_state(&self, keys: &[String], rng: &mut Rng) -> (Vec<Value>, Vec<Value>) {
        let mut missing = Vec::new();
        let mut installed = Vec::new();
        for key in keys {
            let Some(li) = self.line_of(key) else {
                continue;
            };
            let releases = &self.by_line[li];
            let Some(last) = releases.len().checked_sub(1) else {
                continue;
            };
            let behind = if rng.chance(0.35) {
                0
            } else {
                1 + rng.below(4) as usize
            };
            let k = last.saturating_sub(behind);
            installed.push(json!({"id": self.made[releases[k]].patch["id"].clone()}));
            for &r in &releases[k + 1..] {
                missing.push(json!({"id": self.made[r].patch["id"].clone()}));
            }
        }
        (missing, installed)
    }
}

/// The software keys of an asset of `group` running `system`.
fn software_keys(group: &Group, system: &str, is_windows: bool) -> Vec<String> {
    if !is_windows {
        return LINUX_BASE
            .iter()
            .chain(group.extra.iter())
            .map(|p| format!("{system}/{p}"))
            .collect();
    }
    let apps = if group.prefix == "ws" {
        WIN_DESKTOP_APPS
    } else {
        WIN_SERVER_APPS
    };
    let mut keys: Vec<String> = vec![system.to_owned()];
    keys.extend(apps.iter().map(|s| s.to_string()));
    // .NET and server products: only those for this OS family
    keys.extend(
        group
            .extra
            .iter()
            .filter(|e| match system {
                "ws2019" | "ws2016" => e.ends_with("2019") || **e == "exchange",
                "ws2022" | "ws2025" => e.ends_with("2022"),
                s if s.starts_with("win11") => **e == "net-win11",
                _ => **e == "net-win10",
            })
            .map(|s| s.to_string()),
    );
    keys
}

/// The tags of an asset: agent, platform, role, and for servers environment, PCI, DMZ; region.
fn asset_tags(group: &Group, platform: &str, rng: &mut Rng, tags: &[Tag]) -> Vec<Value> {
    let tag = |name: &str| -> Value {
        let t = tags.iter().find(|t| t.name == name).unwrap_or(&tags[0]);
        json!({"id": t.id, "name": t.name})
    };
    let mut asset_tags = vec![tag("Cloud Agent"), tag(platform), tag(group.role_tag)];
    if group.prefix != "ws" {
        let env = match rng.below(20) {
            0..=11 => "Production",
            12..=16 => "Staging",
            _ => "Development",
        };
        asset_tags.push(tag(env));
        if (group.prefix == "db" || group.prefix == "web") && rng.chance(0.4) {
            asset_tags.push(tag("PCI"));
        }
        if group.prefix.starts_with("web") && rng.chance(0.5) {
            asset_tags.push(tag("DMZ"));
        }
    }
    asset_tags.push(tag(if rng.chance(0.55) { "US" } else { "EU" }));
    asset_tags
}

/// Model and maker: a server (always drawn, to keep the draws in step) or, for a
/// workstation, a laptop.
fn hardware(group: &Group, rng: &mut Rng) -> (&'static str, &'static str) {
    let server = *rng.pick(&[
        ("VMware7,1", "VMware, Inc."),
        ("VMware20,1", "VMware, Inc."),
        ("PowerEdge R650", "Dell Inc."),
        ("ProLiant DL380 Gen10", "HPE"),
        ("Virtual Machine", "Microsoft Corporation"),
        ("HVM domU", "Xen"),
    ]);
    if group.prefix != "ws" {
        return server;
    }
    *rng.pick(&[
        ("Latitude 7440", "Dell Inc."),
        ("ThinkPad T14 Gen 4", "LENOVO"),
        ("EliteBook 840 G10", "HP"),
    ])
}

/// An IPv4 address in 10.0.0.0/8 and a MAC address.
fn network_addresses(rng: &mut Rng) -> (String, String) {
    let ip = format!(
        "10.{}.{}.{}",
        10 + rng.below(20),
        rng.below(250),
        10 + rng.below(240)
    );
    let mac = (0..6)
        .map(|i| {
            if i == 0 {
                "00".to_owned()
            } else {
                format!("{:02x}", rng.below(256))
            }
        })
        .collect::<Vec<_>>()
        .join(":");
    (ip, mac)
}

/// One asset of `group`; `rng` draws everything about it, in a fixed order.
fn asset(
    group: &Group,
    name: String,
    mut rng: Rng,
    releases: &Releases<'_>,
    tags: &[Tag],
    anchor_ms: i64,
) -> Value {
    let (os, system) = *rng.pick(group.systems);
    let is_windows = releases.win.iter().any(|l| l.key == system);
    let platform = if is_windows { "Windows" } else { "Linux" };
    let keys = software_keys(group, system, is_windows);
    let (missing, installed) = releases.patch_state(&keys, &mut rng);
    let asset_tags = asset_tags(group, platform, &mut rng, tags);
    let stale = rng.chance(0.08);
    let scanned = anchor_ms + 9 * 3_600_000
        - if stale {
            (10 + rng.below(50) as i64) * DAY_MS
        } else {
            rng.below(72) as i64 * 3_600_000
        };
    let (model, maker) = hardware(group, &mut rng);
    let (ip, mac) = network_addresses(&mut rng);
    let status = if stale { "Failed" } else { "Active" };
    json!({
        "id": rng.uuid(),
        "name": name,
        "operatingSystem": os,
        "platform": platform,
        "architecture": if is_windows { "X64" } else { "x86_64" },
        "lastLoggedOnUser": if is_windows { format!("CORP\\{}", ["alice", "bob", "carol", "dave", "erin", "svc-patch"][rng.below(6) as usize]) } else { "root".to_owned() },
        "assetStatus": status,
        "scanStatus": "Scanned",
        "scanDateTime": scanned,
        "statusDateTime": scanned + rng.below(3_600_000) as i64,
        "hardware": {"model": model, "manufacturer": maker},
        "tags": asset_tags,
        "interfaces": [{
            "interfaceName": if is_windows { "Ethernet0" } else { "ens192" },
            "macAddress": mac,
            "ipv6Address": null,
            "address": ip,
            "gatewayAddress": null,
        }],
        "activatedModules": ["VM", "PM"],
        "installedPatchCount": 0,
        "missingPatchCount": 0,
        "nonSupersededMissingPatchCount": 0,
        "installedPatches": installed,
        "missingPatches": missing,
    })
}
