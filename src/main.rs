use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(iris_dev::run(std::env::args_os()))
}
