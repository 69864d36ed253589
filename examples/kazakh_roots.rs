//! Writes the list of protected Kazakh roots (`src/index/kazakh_roots.txt`) from a
//! Hunspell dictionary: the stems it lists that the stemmer would otherwise cut.
//!
//! Usage: kazakh_roots [DIC] > src/index/kazakh_roots.txt
//! (DIC defaults to /usr/share/hunspell/kk_KZ.dic, from Debian's hunspell-kk).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/usr/share/hunspell/kk_KZ.dic".to_string());
    let dic = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let roots = olke::testkit::kazakh_roots::protected_roots(&dic);
    println!("# Kazakh roots whose \"endings\" are part of them: the stems of Debian's hunspell-kk");
    println!("# (kk_KZ.dic, 1.1-3) that the stemmer would cut. Made by examples/kazakh_roots.rs.");
    for root in roots {
        println!("{root}");
    }
    Ok(())
}
