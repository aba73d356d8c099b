//! Every environment variable iris-dev reads, in one place.
//!
//! Nothing else in the crate spells a variable name: settings resolution takes
//! these constants, and the README's table is written from their doc comments.

/// Directory that holds the port registry and its lock.
///
/// Defaults to `~/.iris-devtester`, the directory the Python package
/// `iris-devtester` uses, so both tools share one registry.
pub const IRIS_DEV_HOME: &str = "IRIS_DEV_HOME";

/// Pins the project's superserver port to this number (1-65535, any range).
pub const IRIS_DEV_PORT: &str = "IRIS_DEV_PORT";

/// Pins the project's web portal port instead of pairing it with the superserver port.
pub const IRIS_DEV_WEB_PORT: &str = "IRIS_DEV_WEB_PORT";

/// Range `START-END` that automatic assignment picks superserver ports from.
///
/// Defaults to `1972-2000`, iris-devtester's range. END must be 14734 or lower, so that every paired web
/// port (52773 + (port - 1972)) is at most 65535, unless `IRIS_DEV_WEB_PORT` pins
/// the web port.
pub const IRIS_DEV_PORT_RANGE: &str = "IRIS_DEV_PORT_RANGE";

/// Seconds to wait for the registry lock before giving up (default 30).
pub const IRIS_DEV_LOCK_TIMEOUT: &str = "IRIS_DEV_LOCK_TIMEOUT";

/// Disables colour when set to any non-empty value (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";

/// The user's home directory, where the default registry directory lives.
pub const HOME: &str = "HOME";

/// Windows' equivalent of `HOME`.
pub const USERPROFILE: &str = "USERPROFILE";

/// Set by `iris-dev env` (and passed to compose): the host IRIS listens on.
pub const IRIS_HOST: &str = "IRIS_HOST";

/// Set by `iris-dev env` (and passed to compose): the superserver port.
pub const IRIS_PORT: &str = "IRIS_PORT";

/// Set by `iris-dev env` (and passed to compose): the web portal port.
pub const IRIS_WEB_PORT: &str = "IRIS_WEB_PORT";

/// Set by `iris-dev env` when the IRIS service's environment sets it: the namespace
/// to connect to. The intersystemsdc images create it at first start, and the
/// built-in template passes it through with a default; iris-devtester reads it.
pub const IRIS_NAMESPACE: &str = "IRIS_NAMESPACE";

/// Set by `iris-dev env` when the IRIS service's environment sets it: the user the
/// intersystemsdc images create at first start.
pub const IRIS_USERNAME: &str = "IRIS_USERNAME";

/// Set by `iris-dev env` when the IRIS service's environment sets it: that user's
/// password. `status` never shows it.
pub const IRIS_PASSWORD: &str = "IRIS_PASSWORD";

/// Set by `iris-dev env`: the project's IRIS as one URL for Python clients,
/// `iris://USER@HOST:PORT/NAMESPACE` as sqlalchemy-iris reads it (the user only
/// when the IRIS service sets `IRIS_USERNAME`, the namespace `USER` when it sets
/// no `IRIS_NAMESPACE`). Never with the password: a URL is printed and logged,
/// so a client adds `IRIS_PASSWORD` itself.
pub const IRIS_URL: &str = "IRIS_URL";

/// Set by `iris-dev env`: the JDBC URL for Java clients,
/// `jdbc:IRIS://HOST:PORT/NAMESPACE` (user and password go in the driver's
/// properties, never in the URL).
pub const IRIS_JDBC_URL: &str = "IRIS_JDBC_URL";

/// The compose project name, read as compose reads it (the environment, then the
/// project's `.env`) and winning over the file's `name:`. `iris-dev env` never
/// prints it: left in a shell by `eval "$(iris-dev env)"`, it would send every
/// compose command typed in the next project to this one's stack (issue 16).
pub const COMPOSE_PROJECT_NAME: &str = "COMPOSE_PROJECT_NAME";

/// Set by `iris-dev env`: the compose project name the stack runs under, for
/// scripts (`docker compose -p "$IRIS_DEV_COMPOSE_PROJECT" ...`). Neither compose
/// nor iris-dev reads it, so it cannot leak into another project.
pub const IRIS_DEV_COMPOSE_PROJECT: &str = "IRIS_DEV_COMPOSE_PROJECT";

/// The project's compose files, as compose reads them when no `-f` is given:
/// separated by `COMPOSE_PATH_SEPARATOR`, relative to the directory iris-dev runs
/// in (or to the `.env` that sets it); the project is the first file's directory.
pub const COMPOSE_FILE: &str = "COMPOSE_FILE";

/// What separates the files in `COMPOSE_FILE` (default `:` on Unix, `;` on Windows).
pub const COMPOSE_PATH_SEPARATOR: &str = "COMPOSE_PATH_SEPARATOR";

/// The compose command to run, such as `docker compose` or `podman-compose`,
/// instead of looking for `docker compose` then `docker-compose`.
pub const IRIS_DEV_COMPOSE: &str = "IRIS_DEV_COMPOSE";

/// The image the built-in template runs (default `intersystemsdc/iris-community:latest`).
pub const IRIS_DEV_IMAGE: &str = "IRIS_DEV_IMAGE";

/// The host address published ports bind to (default `127.0.0.1`); `--bind` wins.
pub const IRIS_DEV_BIND: &str = "IRIS_DEV_BIND";

/// The Docker endpoint, read as Docker's own CLI reads it.
pub const DOCKER_HOST: &str = "DOCKER_HOST";

/// This user's runtime directory, where rootless Podman's API socket is
/// (`$XDG_RUNTIME_DIR/podman/podman.sock`), looked at when neither
/// `DOCKER_HOST` nor a docker context names the engine and Docker's socket
/// is not there.
pub const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";

/// The Docker context to use instead of the configured current one.
pub const DOCKER_CONTEXT: &str = "DOCKER_CONTEXT";

/// Set to any non-empty value, as for Docker's CLI: a `tcp://` engine speaks TLS
/// and its certificate is verified. iris-dev then reaches it through `docker
/// system dial-stdio`, so TLS works exactly as for the user's docker commands.
pub const DOCKER_TLS_VERIFY: &str = "DOCKER_TLS_VERIFY";

/// The directory with `ca.pem`, `cert.pem` and `key.pem` for a TLS engine
/// (default `~/.docker`), as for Docker's CLI.
pub const DOCKER_CERT_PATH: &str = "DOCKER_CERT_PATH";

/// Where Docker's CLI keeps `config.json` (default `~/.docker`).
pub const DOCKER_CONFIG: &str = "DOCKER_CONFIG";

/// The directories searched for `docker` and `docker-compose`.
pub const PATH: &str = "PATH";

/// Compose's profiles, comma-separated, when no `--profile` is given; they reach
/// every compose command iris-dev runs and the key of the cached `compose config`.
pub const COMPOSE_PROFILES: &str = "COMPOSE_PROFILES";

/// Range `START-END` that `isolate: all` takes the host ports of a stack's other
/// services from (default `21000-21999`); it may not overlap the IRIS range or
/// its paired web ports.
pub const IRIS_DEV_STACK_PORT_RANGE: &str = "IRIS_DEV_STACK_PORT_RANGE";

/// Prefix of the variables that carry `isolate: all`'s stack ports to compose and
/// `iris-dev env`: `IRIS_DEV_PORT_WEB_80` is service `web`'s container port 80.
pub const IRIS_DEV_PORT_PREFIX: &str = "IRIS_DEV_PORT_";
