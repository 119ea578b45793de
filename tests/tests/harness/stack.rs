//! The `stack` program: starts, serves through the gateway, and leaves nothing behind.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Processes whose parent is `pid` (from /proc).
fn children_of(pid: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) {
            // Field 4 (after the parenthesised command name) is the parent pid.
            let after = stat.rsplit(')').next().unwrap_or_default();
            if after
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok())
                == Some(pid)
            {
                children.push(child);
            }
        }
    }
    children
}

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
}

fn temp_dirs_of(pid: u32) -> Vec<String> {
    std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|name| name.starts_with(&format!("circ-pg-{pid}-")))
        .collect()
}

#[tokio::test]
async fn stack_starts_serves_and_cleans_up() {
    let port = circulation_tests::pg::free_port().unwrap();
    let mut stack = Command::new(env!("CARGO_BIN_EXE_stack"))
        .args([
            "--port",
            &port.to_string(),
            "--patrons",
            "3",
            "--items",
            "5",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("stack starts");
    let pid = stack.id();
    let mut lines = BufReader::new(stack.stdout.take().unwrap()).lines();
    // The broker's address first, then READY.
    let kafka = lines.next().expect("a line").expect("readable");
    let broker = kafka.strip_prefix("KAFKA ").expect("KAFKA <host>:<port>");
    assert!(std::net::TcpStream::connect(broker).is_ok(), "{broker}");
    let ready = lines.next().expect("a line").expect("readable");
    assert_eq!(ready, format!("READY http://127.0.0.1:{port}"));

    let client =
        circulation_tests::http::FolioClient::new(&format!("http://127.0.0.1:{port}"), "diku");
    let reasons = client
        .get("/cancellation-reason-storage/cancellation-reasons")
        .await;
    assert_eq!(reasons.status, 200, "{}", reasons.body);
    assert_eq!(reasons.json()["totalRecords"], 4);
    let users = client
        .get("/users?query=barcode%3D%3D%222000000001%22")
        .await;
    assert_eq!(users.status, 200);
    assert_eq!(users.json()["totalRecords"], 1);

    let modules = children_of(pid);
    assert!(
        modules.len() >= 3,
        "storage, logic and the broker run as child processes: {modules:?}"
    );
    let dirs = temp_dirs_of(pid);
    assert_eq!(dirs.len(), 1, "one database directory: {dirs:?}");

    // SAFETY: signalling our own child.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
    let status = tokio::task::spawn_blocking(move || stack.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    for child in modules {
        assert!(!alive(child), "process {child} still running");
    }
    assert!(temp_dirs_of(pid).is_empty(), "database directory removed");
    // Nothing answers on the gateway port any more.
    let gone = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/_/proxy/modules"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(gone.is_err());
    assert!(
        std::net::TcpStream::connect(broker).is_err(),
        "broker stopped"
    );
}
