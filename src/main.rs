fn main() -> std::process::ExitCode {
    olke::ocr::limit_openmp_threads();
    olke::cli::run()
}
