//! Our module binaries as child processes: found next to the running program (cargo puts all
//! workspace binaries in one target directory), killed and reaped on drop.
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `circulation-storage` and `circulation-logic` are: `CIRCULATION_BIN_DIR`, else the
/// directory of the current executable or its parent (integration tests run from `deps/`).
pub fn find_binary(name: &str) -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("CIRCULATION_BIN_DIR") {
        candidates.push(PathBuf::from(dir));
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            candidates.push(dir.to_path_buf());
            if let Some(parent) = dir.parent() {
                candidates.push(parent.to_path_buf());
            }
        }
    }
    candidates
        .iter()
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            format!("binary {name} not found in {candidates:?}; build it first: cargo build --workspace --bins (add --release for release)")
        })
}

pub struct ModuleProcess {
    pub name: String,
    pub url: String,
    child: Child,
}

impl ModuleProcess {
    /// Starts `binary --port <free port>` with extra env and waits until `/admin/health` answers
    /// (any status: the storage module answers 503 until its database is reachable).
    pub async fn start(
        binary: &str,
        env: &[(String, String)],
        extra_args: &[String],
    ) -> Result<ModuleProcess, String> {
        let path = find_binary(binary)?;
        let port = crate::pg::free_port().map_err(|e| e.to_string())?;
        let mut command = Command::new(&path);
        command
            .arg("--port")
            .arg(port.to_string())
            .arg("--bind")
            .arg("127.0.0.1")
            .args(extra_args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null());
        let child = command
            .spawn()
            .map_err(|e| format!("starting {}: {e}", path.display()))?;
        let mut process = ModuleProcess {
            name: binary.to_string(),
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        process
            .wait_until_answering(Duration::from_secs(30))
            .await?;
        Ok(process)
    }

    async fn wait_until_answering(&mut self, limit: Duration) -> Result<(), String> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited early: {status}", self.name));
            }
            if client
                .get(format!("{}/admin/health", self.url))
                .send()
                .await
                .is_ok()
            {
                return Ok(());
            }
            if started.elapsed() > limit {
                return Err(format!("{} did not answer within {limit:?}", self.name));
            }
            // Polling a socket that is not listening yet; there is no readiness event to wait on.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then reap; SIGKILL if it does not go within a few seconds.
    pub fn stop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signalling our own child process.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ModuleProcess {
    fn drop(&mut self) {
        self.stop();
    }
}
