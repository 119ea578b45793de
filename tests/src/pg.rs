//! A throwaway PostgreSQL server for tests and the `stack` program.
//!
//! It uses the system's `initdb`/`pg_ctl` (nothing is downloaded), lives in its own temporary
//! directory on its own port, and is stopped and removed when the value is dropped (also while a
//! test panics). PostgreSQL refuses to run as root, so as root the binaries run as the
//! unprivileged `postgres` user through `runuser` (there is no sudo on these machines).
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

/// The database user created by `initdb` (trust authentication on loopback only).
pub const SUPERUSER: &str = "postgres";
const UNPRIVILEGED_OS_USER: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in PATH or /usr/lib/postgresql/*/bin; \
         install the Debian packages: apt-get install -y postgresql postgresql-contrib"
    )]
    BinariesMissing,
    #[error("running as root needs the OS user '{0}' (created by the Debian package postgresql) and runuser")]
    NoUnprivilegedUser(&'static str),
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// A running throwaway server. Connection facts are public so callers can pass them on as `DB_*`.
pub struct TempPostgres {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub database: String,
    dir: PathBuf,
    bin_dir: PathBuf,
    as_postgres_user: bool,
    stopped: bool,
    /// An external server named by `DB_*`: nothing to start, stop or remove.
    external: bool,
}

impl TempPostgres {
    /// initdb + start; returns once the server accepts connections.
    pub fn start() -> Result<TempPostgres, PgError> {
        if let Some(external) = Self::external_from_env() {
            return Ok(external);
        }
        let bin_dir = find_bin_dir().ok_or(PgError::BinariesMissing)?;
        let as_postgres_user = is_root();
        if as_postgres_user && !user_exists(UNPRIVILEGED_OS_USER) {
            return Err(PgError::NoUnprivilegedUser(UNPRIVILEGED_OS_USER));
        }
        let dir = unique_temp_dir();
        std::fs::create_dir_all(&dir)?;
        let mut pg = TempPostgres {
            host: "127.0.0.1".into(),
            port: 0,
            user: SUPERUSER.into(),
            password: SUPERUSER.into(),
            database: "postgres".into(),
            dir,
            bin_dir,
            as_postgres_user,
            // Nothing to stop until pg_ctl start succeeded; Drop still removes the directory.
            stopped: true,
            external: false,
        };
        if as_postgres_user {
            pg.run(
                "chown",
                Command::new("chown")
                    .arg("-R")
                    .arg(UNPRIVILEGED_OS_USER)
                    .arg(&pg.dir),
            )?;
        }
        let data = pg.data_dir();
        let initdb = pg.bin_dir.join("initdb");
        let mut cmd = pg.pg_command(&initdb);
        cmd.arg("-D").arg(&data).args([
            "-N",
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--no-locale",
        ]);
        pg.run("initdb", &mut cmd)?;

        // A port can be taken between probing and binding; try a few.
        let mut last_err = None;
        for _ in 0..5 {
            pg.port = free_port()?;
            match pg.pg_ctl_start() {
                Ok(()) => {
                    pg.stopped = false;
                    log::info!(
                        "throwaway PostgreSQL on port {} in {}",
                        pg.port,
                        pg.dir.display()
                    );
                    return Ok(pg);
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.expect("at least one attempt"))
    }

    /// When `DB_HOST` is set, tests and programs use that server instead of starting one
    /// (`DB_PORT`, `DB_USERNAME`, `DB_PASSWORD`, `DB_DATABASE` as RMB reads them).
    fn external_from_env() -> Option<TempPostgres> {
        let host = std::env::var("DB_HOST").ok().filter(|h| !h.is_empty())?;
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
        Some(TempPostgres {
            host,
            port: var("DB_PORT", "5432").parse().unwrap_or(5432),
            user: var("DB_USERNAME", SUPERUSER),
            password: var("DB_PASSWORD", ""),
            database: var("DB_DATABASE", "postgres"),
            dir: PathBuf::new(),
            bin_dir: PathBuf::new(),
            as_postgres_user: false,
            stopped: true,
            external: true,
        })
    }

    /// The host the modules connect to: for the throwaway server its Unix socket directory
    /// (libpq takes a path as host) — on one machine a local socket costs PostgreSQL and the
    /// storage module less CPU per statement than loopback TCP; an external server's `DB_HOST`
    /// as given.
    pub fn db_host(&self) -> String {
        match self.external {
            true => self.host.clone(),
            false => self.dir.display().to_string(),
        }
    }

    /// `DB_*` variables (RMB's names) pointing at this server.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DB_HOST".into(), self.db_host()),
            ("DB_PORT".into(), self.port.to_string()),
            ("DB_USERNAME".into(), self.user.clone()),
            ("DB_PASSWORD".into(), self.password.clone()),
            ("DB_DATABASE".into(), self.database.clone()),
        ]
    }

    pub fn url(&self) -> String {
        format!(
            "postgres://{}:{}@{}:{}/{}",
            self.user, self.password, self.host, self.port, self.database
        )
    }

    /// The postmaster's process id (none for an external server).
    pub fn server_pid(&self) -> Option<u32> {
        match self.external {
            true => None,
            false => crate::cpu::postmaster_pid(&self.data_dir()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Fast shutdown; also called by Drop.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let pg_ctl = self.bin_dir.join("pg_ctl");
        let mut cmd = self.pg_command(&pg_ctl);
        cmd.arg("-D")
            .arg(self.data_dir())
            .args(["-m", "fast", "-w", "stop"]);
        if let Err(e) = self.run("pg_ctl stop", &mut cmd) {
            log::warn!("stopping throwaway PostgreSQL: {e}");
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg_ctl_start(&self) -> Result<(), PgError> {
        let options = format!(
            "-c port={} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        let pg_ctl = self.bin_dir.join("pg_ctl");
        let mut cmd = self.pg_command(&pg_ctl);
        cmd.arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .arg("-o")
            .arg(options)
            .args(["-w", "-t", "60", "start"]);
        self.run("pg_ctl start", &mut cmd)
    }

    fn pg_command(&self, program: &Path) -> Command {
        if self.as_postgres_user {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", UNPRIVILEGED_OS_USER, "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }

    fn run(&self, what: &str, cmd: &mut Command) -> Result<(), PgError> {
        // The server must not hold our stdout open, or callers reading it would never see EOF.
        let output: Output = cmd
            .current_dir(&self.dir)
            .stdin(std::process::Stdio::null())
            .output()?;
        if output.status.success() {
            return Ok(());
        }
        let mut detail = String::from_utf8_lossy(&output.stderr).trim().to_string();
        if let Ok(log) = std::fs::read_to_string(self.dir.join("server.log")) {
            let tail: Vec<&str> = log.lines().rev().take(5).collect();
            detail.push_str(&format!(
                " | server log: {}",
                tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
            ));
        }
        Err(PgError::Command {
            what: what.to_string(),
            detail,
        })
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        if self.external {
            return;
        }
        self.stop();
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            log::warn!("removing {}: {e}", self.dir.display());
        }
    }
}

/// `initdb` from PATH, else the newest `/usr/lib/postgresql/<version>/bin`.
fn find_bin_dir() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    });
    if let Some(dir) = from_path {
        // Resolve symlinks (Debian links /usr/local/bin/initdb into the versioned bin dir).
        return std::fs::canonicalize(dir.join("initdb"))
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .filter(|d| d.join("pg_ctl").is_file())
            .or(Some(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn user_exists(name: &str) -> bool {
    Command::new("id")
        .arg("-u")
        .arg(name)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn unique_temp_dir() -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("circ-pg-{}-{}", std::process::id(), nanos))
}

/// A port nobody listens on right now (the OS picks it).
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// One server shared by all tests of a test binary, stopped and removed when the process exits
/// (also after failed tests: the harness exits normally and runs `atexit` handlers).
pub fn shared() -> &'static TempPostgres {
    use std::sync::{Mutex, OnceLock};
    static SHARED: OnceLock<Mutex<Option<TempPostgres>>> = OnceLock::new();
    static ADDRESS: OnceLock<&'static TempPostgres> = OnceLock::new();

    extern "C" fn stop_shared() {
        if let Some(cell) = SHARED.get() {
            if let Ok(mut guard) = cell.lock() {
                guard.take();
            }
        }
    }

    ADDRESS.get_or_init(|| {
        let pg = TempPostgres::start().unwrap_or_else(|e| panic!("throwaway PostgreSQL: {e}"));
        let cell = SHARED.get_or_init(|| Mutex::new(Some(pg)));
        // SAFETY: registering a plain extern "C" fn with no captured state.
        unsafe { libc::atexit(stop_shared) };
        let guard = cell.lock().expect("not poisoned");
        let pg: &TempPostgres = guard.as_ref().expect("just stored");
        // The value lives in a static until exit; hand out a 'static reference to it.
        // SAFETY: the Option is only emptied by the atexit handler, after all tests ended.
        unsafe { &*(pg as *const TempPostgres) }
    })
}
