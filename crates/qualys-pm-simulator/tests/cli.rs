//! The simulator binary as its users start it: it prints where it listens, answers there, and
//! refuses a bad option. (Being an integration test of this crate also makes `cargo test`
//! build the binary that the provider's end-to-end tests start.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn it_prints_its_address_and_answers_there() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qualys-pm-simulator"))
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the simulator");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .map(str::to_owned);
    let answer = url.as_deref().map(|url| {
        let addr = url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("connect");
        // an API call without a token: refused, but by the simulator's auth
        write!(
            stream,
            "GET /pm/v1/deploymentjob/x HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        text
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.is_some(), "first line: {first:?}");
    let answer = answer.unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}

#[test]
fn an_unknown_option_is_refused_with_the_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_qualys-pm-simulator"))
        .arg("--no-such-option")
        .output()
        .expect("run the simulator");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Usage: qualys-pm-simulator"), "{stderr}");
}
