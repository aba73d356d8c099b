//! `iris-dev tunnel`: the project's ports from a remote `ssh://` engine's host
//! (the address the stack was published on there, loopback by default) to this
//! machine's loopback, through `ssh -N -L`, in the foreground.

use crate::cli::error::Error;
use crate::core::engine::dial::{SshTarget, forward_host};
use crate::core::invocation::Invocation;
use crate::edges::process::DuctRunner;
use crate::workflows::context::Context;

pub fn run(context: &Context<'_>) -> Result<(), Error> {
    let project = context.project()?;
    let registry = context.store().read()?;
    let assignment = Context::assignment_of(&registry, &project)?.clone();
    let endpoint = context.endpoint();
    let target = SshTarget::parse(&endpoint.url).ok_or_else(|| Error::NoTunnel {
        endpoint: endpoint.url.clone(),
    })?;
    let ports: Vec<u16> = assignment.ports().collect();
    let remote = forward_host(assignment.bind.as_deref());
    let invocation = Invocation {
        argv: target.tunnel_args(&remote, &ports),
        dir: project.root.clone(),
        env: Vec::new(),
    };
    let list = ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    context.printer.status(
        "tunnel",
        format_args!(
            "127.0.0.1 ports {list} to the same ports on {remote} at {} until Ctrl-C",
            target.display()
        ),
    );
    context.printer.note(format_args!("running `{invocation}`"));
    let code = DuctRunner.foreground(&invocation)?;
    if code == 0 {
        Ok(())
    } else {
        Err(Error::TunnelEnded {
            command: invocation.to_string(),
            code,
        })
    }
}
