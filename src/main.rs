fn main() -> std::process::ExitCode {
    olke::ocr::limit_openmp_threads();
    olke::pipeline::keep_large_buffers_out_of_the_heap();
    olke::cli::run()
}
