//! Writes the lists the Kazakh stemmer takes from a Hunspell dictionary: the protected
//! roots (the stems it lists that the stemmer would otherwise cut) and, with `--verbs`,
//! the verb roots.
//!
//! Usage: kazakh_roots [DIC] > src/index/kazakh_roots.txt
//!        kazakh_roots --verbs [DIC] > src/index/kazakh_verbs.txt
//! (DIC defaults to /usr/share/hunspell/kk_KZ.dic, from Debian's hunspell-kk 1.1-3:
//! © 2009 Akmaral Mussayeva, László Németh, Rail Aliev; GPL-2+ or LGPL-2.1+ or MPL-1.1+.)

use olke::testkit::kazakh_roots::{protected_roots, verb_roots};

const LICENCE: &str = "# From Debian's hunspell-kk (kk_KZ.dic, 1.1-3), © 2009 Akmaral Mussayeva, László Németh,\n\
                       # Rail Aliev, under GPL-2+ or LGPL-2.1+ or MPL-1.1+ (redistribution permitted).";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbs = args.iter().any(|arg| arg == "--verbs");
    let path = args
        .iter()
        .find(|arg| *arg != "--verbs")
        .cloned()
        .unwrap_or_else(|| "/usr/share/hunspell/kk_KZ.dic".to_string());
    let dic = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let words = if verbs {
        println!("# Kazakh verb roots: the infinitives of hunspell-kk's verbs (affix class M) without -у,");
        println!("# in the stemmer's form of a verb stem (no final narrow vowel, б г ғ devoiced).");
        verb_roots(&dic)
    } else {
        println!("# Kazakh roots whose \"endings\" are part of them: the stems of hunspell-kk");
        println!("# that the stemmer would cut.");
        protected_roots(&dic)
    };
    println!("{LICENCE}");
    println!("# Made by examples/kazakh_roots.rs.");
    for word in words {
        println!("{word}");
    }
    Ok(())
}
