//! Precise delays for modelled latency.
//!
//! tokio's timer wheel has millisecond granularity and rounds up, so each modelled hop would
//! come out late by up to a millisecond or more; the harness models a check-out's cost as its
//! chain of dependent hops times the latency, so that error adds up.
//!
//! [`sleep_until`] instead files the deadline with one dedicated timer thread that keeps a
//! deadline heap and waits with `Condvar::wait_timeout` (a futex with a nanosecond timeout
//! on Linux; the thread's timer slack is lowered to 1 µs so the kernel does not coalesce its
//! wake-ups 50 µs late). When a deadline passes it completes a oneshot channel, which wakes
//! the waiting task on whatever runtime it lives on. The thread sleeps between deadlines:
//! no spinning, no CPU while idle. How late it wakes in practice: `docs/harness.md`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

struct Entry {
    deadline: Instant,
    seq: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed, so that `BinaryHeap` (a max-heap) yields the earliest deadline first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.deadline, other.seq).cmp(&(self.deadline, self.seq))
    }
}

#[derive(Default)]
struct Queue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

struct Timer {
    queue: Mutex<Queue>,
    changed: Condvar,
}

fn timer() -> &'static Timer {
    static TIMER: OnceLock<&'static Timer> = OnceLock::new();
    TIMER.get_or_init(|| {
        let timer: &'static Timer = Box::leak(Box::new(Timer {
            queue: Mutex::new(Queue::default()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("precise-timer".into())
            .spawn(move || run(timer))
            .expect("spawn the precise-timer thread");
        timer
    })
}

fn run(timer: &Timer) {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_TIMERSLACK) only changes this thread's timer slack.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1_000 as libc::c_ulong, 0, 0, 0);
    }
    let mut due = Vec::new();
    let mut queue = timer.queue.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let now = Instant::now();
        while queue.heap.peek().is_some_and(|e| e.deadline <= now) {
            due.extend(queue.heap.pop());
        }
        if !due.is_empty() {
            // Wake the tasks without holding the lock (a wake-up may be a syscall).
            drop(queue);
            for entry in due.drain(..) {
                let _ = entry.wake.send(());
            }
            queue = timer.queue.lock().unwrap_or_else(|e| e.into_inner());
            continue;
        }
        queue = match queue.heap.peek().map(|e| e.deadline - now) {
            None => timer.changed.wait(queue).unwrap_or_else(|e| e.into_inner()),
            Some(wait) => {
                timer
                    .changed
                    .wait_timeout(queue, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
        };
    }
}

/// Completes at `deadline` (never before it), on any async runtime. A deadline already passed completes at once.
pub async fn sleep_until(deadline: Instant) {
    if deadline <= Instant::now() {
        return;
    }
    let (wake, done) = oneshot::channel();
    let timer = timer();
    let earliest = {
        let mut queue = timer.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.seq += 1;
        let seq = queue.seq;
        let earliest = queue.heap.peek().is_none_or(|e| deadline < e.deadline);
        queue.heap.push(Entry {
            deadline,
            seq,
            wake,
        });
        earliest
    };
    if earliest {
        timer.changed.notify_one();
    }
    let _ = done.await;
}

/// Completes `delay` from now (see [`sleep_until`]).
pub async fn sleep(delay: Duration) {
    sleep_until(Instant::now() + delay).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn deadlines_are_met_in_order_and_never_early() {
        let start = Instant::now();
        let delays = [7u64, 3, 5, 1, 3];
        let waits = delays.iter().map(|ms| async move {
            let deadline = start + Duration::from_millis(*ms);
            sleep_until(deadline).await;
            let now = Instant::now();
            assert!(now >= deadline, "woke early");
            now - deadline
        });
        for late in futures::future::join_all(waits).await {
            // generous upper bound: the machine may be loaded
            assert!(late < Duration::from_millis(50), "{late:?}");
        }
        sleep_until(start).await; // already passed
    }
}
