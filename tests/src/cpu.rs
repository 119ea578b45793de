//! CPU time used by the processes of a running stack, read from Linux's `/proc`, so the
//! benchmark can say where each check-out's CPU goes. On a machine where every part shares the
//! same cores, CPU per check-out is what throughput and queueing follow, and it varies far less
//! from run to run than latency does.
use std::path::Path;
use std::time::Duration;

/// User + system time of one process (all its threads) and, with `reaped_children`, of the
/// children it has reaped (PostgreSQL backends that have exited).
pub fn process_cpu(pid: u32, reaped_children: bool) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    cpu_from_stat(&stat, reaped_children)
}

/// The fields of a `/proc/<pid>/stat` line from field 3 (state) on: what follows the
/// parenthesised command name, which may itself hold spaces and parentheses.
fn fields_after_command(stat: &str) -> Option<Vec<&str>> {
    Some(stat[stat.rfind(')')? + 1..].split_whitespace().collect())
}

/// utime, stime, cutime and cstime are fields 14–17 (1-based), in clock ticks.
fn cpu_from_stat(stat: &str, reaped_children: bool) -> Option<Duration> {
    let fields = fields_after_command(stat)?;
    // The fields start at field 3, so field n is at index n - 3.
    let tick = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    let mut ticks = tick(14)? + tick(15)?;
    if reaped_children {
        ticks += tick(16)? + tick(17)?;
    }
    Some(Duration::from_secs_f64(ticks as f64 / ticks_per_second()))
}

/// The parent process id (field 4).
fn parent_from_stat(stat: &str) -> Option<u32> {
    fields_after_command(stat)?.get(1)?.parse().ok()
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

/// CPU of a server and every process it forked that is still running (PostgreSQL: the
/// postmaster, its backends and helpers), plus what its reaped children used.
pub fn tree_cpu(root: u32) -> Duration {
    let mut total = process_cpu(root, true).unwrap_or_default();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return total;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
            .is_none()
        {
            continue;
        }
        // One read per process: its parent and its times come from the same line.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if parent_from_stat(&stat) == Some(root) {
            total += cpu_from_stat(&stat, false).unwrap_or_default();
        }
    }
    total
}

/// The postmaster's process id, from the first line of `postmaster.pid` in its data directory.
pub fn postmaster_pid(data_dir: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_times_after_a_command_name_with_spaces_and_parentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime ...
        let stat = "42 (actix (x) wo) S 1 42 42 0 -1 4194560 10 0 0 0 300 100 50 50 20 0";
        let tps = ticks_per_second();
        let own = cpu_from_stat(stat, false).unwrap().as_secs_f64();
        let all = cpu_from_stat(stat, true).unwrap().as_secs_f64();
        assert!((own - 400.0 / tps).abs() < 1e-9);
        assert!((all - 500.0 / tps).abs() < 1e-9);
        assert_eq!(cpu_from_stat("garbage", false), None);
    }

    #[test]
    fn this_process_has_used_some_cpu() {
        // Spin until a clock tick has been charged (at most a few seconds of wall time).
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let mut spin = 0u64;
        let mut cpu = Duration::ZERO;
        while cpu == Duration::ZERO && std::time::Instant::now() < deadline {
            spin = (0..100_000u64).fold(spin, |a, b| a.wrapping_add(b * b));
            cpu = process_cpu(std::process::id(), false).expect("own /proc entry");
        }
        assert!(
            cpu > Duration::ZERO,
            "no CPU charged after spinning ({spin})"
        );
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", std::process::id()))
            .expect("own /proc entry");
        assert_eq!(
            parent_from_stat(&stat),
            Some(std::os::unix::process::parent_id())
        );
    }
}
