//! A throwaway Kafka-protocol broker for tests and the `stack` program: Tansu (Apache-2.0), its
//! one static binary started on a free loopback port, stopped when the value is dropped.
//! `scripts/install-tansu.sh` installs it (CI's `.ci/run` does).
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error(
        "the Kafka broker binary `tansu` was not found ($TANSU_BIN, PATH, ~/.local/bin); \
         install it with: bash scripts/install-tansu.sh (or run the stack with --no-kafka)"
    )]
    BinaryMissing,
    #[error("starting {0}: {1}")]
    Spawn(String, std::io::Error),
    #[error("the broker did not listen on port {0} within {1:?}")]
    NotListening(u16, Duration),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Where the broker binary is: `$TANSU_BIN`, else `tansu` on `PATH`, else `~/.local/bin/tansu`.
pub fn find_tansu() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TANSU_BIN").map(PathBuf::from) {
        return path.is_file().then_some(path);
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/bin"));
    on_path
        .into_iter()
        .chain(home)
        .map(|dir| dir.join("tansu"))
        .find(|path| path.is_file())
}

/// A running broker on `127.0.0.1:port`.
pub struct Broker {
    pub host: String,
    pub port: u16,
    binary: PathBuf,
    storage_engine: String,
    child: Option<Child>,
}

impl Broker {
    /// A broker keeping its topics in memory.
    pub fn start() -> Result<Broker, BrokerError> {
        Self::start_with_storage("memory://tansu/")
    }

    /// A broker keeping its topics in `storage_engine` (Tansu's `--storage-engine`, e.g. a
    /// `postgres://` URL: the topics then outlive a restart).
    pub fn start_with_storage(storage_engine: &str) -> Result<Broker, BrokerError> {
        let binary = find_tansu().ok_or(BrokerError::BinaryMissing)?;
        let port = crate::pg::free_port()?;
        let mut broker = Broker {
            host: "127.0.0.1".into(),
            port,
            binary,
            storage_engine: storage_engine.to_string(),
            child: None,
        };
        broker.run()?;
        Ok(broker)
    }

    /// `host:port`, as Kafka clients take it (and `KAFKA_HOST`/`KAFKA_PORT` split it).
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// FOLIO's variables naming this broker, for the modules' environment.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("KAFKA_HOST".into(), self.host.clone()),
            ("KAFKA_PORT".into(), self.port.to_string()),
        ]
    }

    fn run(&mut self) -> Result<(), BrokerError> {
        let url = format!("tcp://{}", self.address());
        let child = Command::new(&self.binary)
            .arg("broker")
            .args(["--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", &self.storage_engine])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| BrokerError::Spawn(self.binary.display().to_string(), e))?;
        self.child = Some(child);
        let limit = Duration::from_secs(15);
        let started = Instant::now();
        // Polling a socket that is not listening yet; there is no readiness event to wait on.
        while TcpStream::connect((self.host.as_str(), self.port)).is_err() {
            if started.elapsed() > limit {
                self.stop();
                return Err(BrokerError::NotListening(self.port, limit));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Stops the broker (SIGTERM, then SIGKILL after a few seconds); the port stays its own.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // SAFETY: signalling our own child process.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts a stopped broker again on the same port.
    pub fn restart(&mut self) -> Result<(), BrokerError> {
        self.stop();
        self.run()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A message read back from a topic.
#[derive(Debug, Clone)]
pub struct Received {
    pub key: String,
    pub payload: serde_json::Value,
    pub headers: Vec<(String, String)>,
}

/// Reads `topic` from its start on every partition (no consumer group) until `enough` says so
/// or `limit` has passed; what was read. Reads again from the start while the topic does not
/// exist yet (it is created with its first event).
pub async fn read_topic(
    address: &str,
    topic: &str,
    enough: impl Fn(&[Received]) -> bool,
    limit: Duration,
) -> Vec<Received> {
    use rdkafka::consumer::{Consumer, StreamConsumer};
    use rdkafka::message::{Headers, Message};
    let deadline = Instant::now() + limit;
    // The fullest read of the attempts (one cut short by the deadline may have less).
    let mut best: Vec<Received> = Vec::new();
    let mut read: Vec<Received> = Vec::new();
    while Instant::now() < deadline {
        let consumer: StreamConsumer = match rdkafka::ClientConfig::new()
            .set("bootstrap.servers", address)
            .set("group.id", "harness-reader")
            .set("enable.auto.commit", "false")
            .create()
        {
            Ok(c) => c,
            Err(_) => break,
        };
        let mut partitions = rdkafka::TopicPartitionList::new();
        for p in 0..10 {
            let _ = partitions.add_partition_offset(topic, p, rdkafka::Offset::Beginning);
        }
        if consumer.assign(&partitions).is_err() {
            break;
        }
        if read.len() > best.len() {
            best = std::mem::take(&mut read);
        }
        read.clear();
        // Until a second passes without a message (a partition's error is no message).
        let mut idle_since = Instant::now();
        while idle_since.elapsed() < Duration::from_secs(1) && Instant::now() < deadline {
            let next = tokio::time::timeout(Duration::from_millis(200), consumer.recv()).await;
            let Ok(Ok(m)) = next else {
                continue;
            };
            idle_since = Instant::now();
            let headers = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|h| {
                            let value = h.value.map(String::from_utf8_lossy).unwrap_or_default();
                            (h.key.to_string(), value.to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            read.push(Received {
                key: String::from_utf8_lossy(m.key().unwrap_or_default()).to_string(),
                payload: m
                    .payload()
                    .and_then(|p| serde_json::from_slice(p).ok())
                    .unwrap_or(serde_json::Value::Null),
                headers,
            });
            if enough(&read) {
                return read;
            }
        }
        if enough(&read) {
            return read;
        }
    }
    if read.len() > best.len() {
        best = read;
    }
    best
}
