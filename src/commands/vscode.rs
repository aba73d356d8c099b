//! `iris-dev vscode`: the project's connection in `.vscode/settings.json`, edited
//! in place by [`jsonc`] so comments and other settings stay: the ObjectScript
//! extension's `objectscript.conn` (its `docker-compose` block kept only when the
//! extension's compose lookup finds this stack), an InterSystems Server Manager
//! entry, and the project's SQLTools connections when SQLTools is configured.

use std::io;

use fs_err as fs;
use serde_json::Value;

use crate::cli::VscodeArgs;
use crate::cli::error::Error;
use crate::core::jsonc::{self, Key};
use crate::core::vscode::{self, CONNECTION_KEY, SERVERS_KEY, SETTINGS_FILE, SQLTOOLS_KEY};
use crate::workflows::assign;
use crate::workflows::context::Context;

pub fn run(args: VscodeArgs, context: &Context<'_>) -> Result<(), Error> {
    let VscodeArgs { dry_run } = args;
    let assign::Connected {
        project,
        assignment,
        compose_project,
        host,
        login,
        stack,
        service,
    } = assign::connected(context)?;
    let web_port = assignment.effective_web_port().unwrap_or_default();
    let port = assignment.port;
    let path = project.root.join(SETTINGS_FILE);
    let old = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err.into()),
    };
    let jsonc_error = |error| Error::Jsonc {
        file: path.clone(),
        error,
    };
    let conn = [Key::Member(CONNECTION_KEY)];
    let member = |name| [Key::Member(CONNECTION_KEY), Key::Member(name)];
    let read = |text: &str, at: &[Key<'_>]| jsonc::value_at(text, at).map_err(jsonc_error);
    let mut notes: Vec<String> = Vec::new();
    let mut text = old.clone();
    let previous_user = read(&text, &member("username"))?;

    let members = vscode::connection_members(&host, web_port, &login);
    if let Some(new) = jsonc::set_members(&text, CONNECTION_KEY, &members).map_err(jsonc_error)? {
        text = new;
    }

    // Which wins in the extension: a `docker-compose` block over host and port.
    let server = vscode::server_name(&compose_project);
    let mut compose_kept = false;
    if let Some(block) = read(&text, &member("docker-compose"))? {
        let files = stack
            .base_files
            .iter()
            .filter(|file| file.parent() == Some(project.root.as_path()))
            .filter_map(|file| file.file_name()?.to_str().map(str::to_owned))
            .collect();
        let mut env_files = vec![".env".to_owned()];
        if let Some(env_file) = &stack.env_file {
            let relative = env_file.strip_prefix(&project.root).unwrap_or(env_file);
            env_files.push(relative.display().to_string());
        }
        let facts = vscode::ComposeFacts {
            service: service.as_deref(),
            files,
            env_files,
            stack_name: stack.compose_project(),
            plain_name: &stack.plain_name,
            template: stack.template,
        };
        match vscode::compose_lookup_misses(&block, &facts) {
            None => {
                compose_kept = true;
                let file = block
                    .get("file")
                    .and_then(Value::as_str)
                    .unwrap_or("docker-compose.yml");
                notes.push(format!(
                    "kept `{CONNECTION_KEY}.docker-compose`: the extension asks compose (`-f {file} port {} 52773` in the project) instead of using host and port, and that finds this stack (`{}`) while it runs",
                    facts.service.unwrap_or_default(),
                    facts.stack_name
                ));
            }
            Some(reason) => {
                if let Some(new) =
                    jsonc::remove_member(&text, &conn, "docker-compose").map_err(jsonc_error)?
                {
                    text = new;
                }
                notes.push(format!(
                    "removed `{CONNECTION_KEY}.docker-compose`, which the extension asks before host and port: {reason}"
                ));
            }
        }
    }
    // A server named in `objectscript.conn` wins over host and port, unless a
    // compose block is there (vscode-objectscript `src/api/index.ts`, 245-252).
    if let Some(Value::String(named)) = read(&text, &member("server"))?
        && !compose_kept
        && named != server
    {
        if let Some(new) = jsonc::remove_member(&text, &conn, "server").map_err(jsonc_error)? {
            text = new;
        }
        notes.push(format!(
            "removed `{CONNECTION_KEY}.server` `{named}`: a server named there wins over host and port"
        ));
    }
    // A password stored for another user is no use to the service's user.
    let previous_user = previous_user.as_ref().and_then(Value::as_str);
    match (&login.username, previous_user) {
        (Some(user), Some(before)) if user != before => {
            if read(&text, &member("password"))?.is_some() {
                if let Some(new) =
                    jsonc::remove_member(&text, &conn, "password").map_err(jsonc_error)?
                {
                    text = new;
                }
                notes.push(format!(
                    "removed `{CONNECTION_KEY}.password`: it was `{before}`'s, the user is now `{user}` (the extension asks for the password)"
                ));
            } else {
                notes.push(format!(
                    "`{CONNECTION_KEY}` logs in as `{user}` (was `{before}`)"
                ));
            }
        }
        (None, Some(before)) => {
            let stored = if read(&text, &member("password"))?.is_some() {
                " with the password stored in the file"
            } else {
                ""
            };
            notes.push(format!(
                "`{CONNECTION_KEY}` keeps logging in as `{before}`{stored}: the IRIS service sets no `IRIS_USERNAME`"
            ));
        }
        _ => {}
    }

    // InterSystems Server Manager's entry: the same ports, for its server view.
    let root = project.root.display().to_string();
    let server_path = [Key::Member(SERVERS_KEY), Key::Member(&server)];
    let server_members = vscode::server_members(&host, port, web_port, &login, &root);
    if let Some(new) =
        jsonc::set_members_at(&text, &server_path, &server_members).map_err(jsonc_error)?
    {
        text = new;
        notes.push(format!(
            "`{SERVERS_KEY}.{server}`: web server {host}:{web_port}, superserver port {port}"
        ));
    }

    // SQLTools, when the file configures it: the project's connections move.
    let sqltools = [Key::Member(SQLTOOLS_KEY)];
    if let Some(connections) = read(&text, &sqltools)?.filter(Value::is_array) {
        let targets = vscode::sqltools_targets(&connections, &host, &server);
        let members = vscode::sqltools_members(&host, web_port, &login);
        for index in &targets {
            let at = [Key::Member(SQLTOOLS_KEY), Key::Index(*index)];
            let entry = &connections[*index];
            let name = entry["name"].as_str().unwrap_or("(unnamed)");
            let mut changed = false;
            if let Some(new) = jsonc::set_members_at(&text, &at, &members).map_err(jsonc_error)? {
                text = new;
                changed = true;
            }
            let before = entry["username"].as_str();
            if let (Some(user), Some(before)) = (&login.username, before)
                && user != before
                && entry.get("password").is_some()
            {
                if let Some(new) =
                    jsonc::remove_member(&text, &at, "password").map_err(jsonc_error)?
                {
                    text = new;
                }
                let ask = [("askForPassword", Value::Bool(true), jsonc::Set::Always)];
                if let Some(new) = jsonc::set_members_at(&text, &at, &ask).map_err(jsonc_error)? {
                    text = new;
                }
                notes.push(format!(
                    "`{SQLTOOLS_KEY}`: removed `{name}`'s password, which was `{before}`'s; SQLTools asks for `{user}`'s"
                ));
            }
            if changed {
                notes.push(format!(
                    "`{SQLTOOLS_KEY}`: `{name}` points at {host}:{web_port}"
                ));
            }
        }
        if targets.is_empty() {
            let connection = vscode::sqltools_connection(&server, &host, web_port, &login);
            if let Some(new) =
                jsonc::push_element(&text, &sqltools, &connection).map_err(jsonc_error)?
            {
                text = new;
                notes.push(format!(
                    "`{SQLTOOLS_KEY}`: added `{server}` at {host}:{web_port}"
                ));
            }
        }
    }

    if text == old {
        context.printer.info(format_args!(
            "`{}` already has the connection to port {web_port}; nothing to change",
            path.display()
        ));
        return Ok(());
    }
    if dry_run {
        context
            .printer
            .data(vscode::diff(SETTINGS_FILE, &old, &text))?;
        for note in &notes {
            context.printer.info(format_args!("  {note}"));
        }
        context.printer.info("dry run: nothing was written");
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(&path, &text)?;
    context.printer.status(
        if old.is_empty() { "created" } else { "updated" },
        format_args!(
            "`{}`: `{CONNECTION_KEY}` points at port {web_port}",
            path.display()
        ),
    );
    for note in &notes {
        context.printer.info(format_args!("  {note}"));
    }
    Ok(())
}
