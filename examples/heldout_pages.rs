//! Renders the pages of our own that `make bench` holds back (issue 21): Kazakh and Russian
//! book pages and newspaper columns, with a few English words, in typefaces that neither
//! corpus/dev nor corpus/dev2 uses, with kinds of damage dev does not have — uneven
//! lighting, JPEG artefacts, halftone photographs beside the text, pencil marks, a curled
//! page edge, pages turned 90°/270° and 180°, very faint ink, a sensor's grain (heavy at
//! 200 dpi) — each at a mild and a heavy level. Writes two halves in corpus/dev's format
//! (`NAME.png|jpg|tif`, `NAME.gt.txt`: the printed lines in reading order, the same for a
//! turned page; `manifest.json` with `image`, `gt`, `kind`, `lang`, `level`, `dpi`,
//! `two_page_spread`, and `damage` and `typeface` besides) into OUT_DIR/tune and
//! OUT_DIR/heldout. Every (damage, level) is
//! made twice from two seeds; the even seed goes to `tune`, the odd one to `heldout`. The
//! halves share no typeface and no Kazakh sentence, so what is tuned on one half is
//! measured on pages it has not seen.
//!
//! Kazakh prose is the `# text =` sentences of the Universal Dependencies Kazakh treebank
//! (KTB, CC BY-SA 4.0): the tune half takes the first half of the sentences, the held-back
//! half the rest. The Russian prose is written here. Every typeface is checked to carry
//! the Kazakh letters (ә ғ қ ң ө ұ ү һ і, both cases) and every character of its page
//! before it is drawn; EB Garamond (fonts-ebgaramond) lacks ғ қ ң һ, Linux Biolinum Bold most of them: neither is used. The
//! typefaces come with `scripts/install-deps.sh --bench`. The same seed gives the same
//! pages on every machine.
//!
//! Two options make further pages: `--seed-offset N` adds N to every seed (other draws of
//! text, damage and placement, the same typefaces; N even, so even seeds stay with `tune`,
//! and at least 36, past the halves' seeds 0–35), and `--other-faces` sets the tune half in
//! four typefaces neither half uses (DejaVu Serif, Nimbus Sans, URW Bookman, CMU Sans
//! Serif). The Russian prose is the one pool of both halves. BENCHMARKS.md reports olke on
//! `--seed-offset 1000 --other-faces`.
//!
//! usage: cargo run --release --features testkit --example heldout_pages -- OUT_DIR TREEBANK_DIR
//!          [--seed-offset N] [--other-faces]
//!   e.g. ... -- bench/out/own ../shared/texts/ud-kazakh-ktb

use std::path::{Path, PathBuf};

use ab_glyph::{Font, FontVec};
use image::{GrayImage, Luma};
use imageproc::geometric_transformations::{rotate_about_center, Border, Interpolation};
use olke::testkit::fixtures::{self, PageSpec, TiffKind};

const KAZAKH_LETTERS: &str = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";

/// Where the Kazakh text comes from, printed at the foot of every Kazakh page (and so in
/// its ground truth: the English words Kazakh pages carry).
const KAZAKH_SOURCE: &str = "Мәтін: Kazakh Treebank (UD KTB), Universal Dependencies, CC BY-SA 4.0.";

/// Russian prose about a town library's local history, with the Latin-script names such
/// texts carry.
const RUSSIAN: &[&str] = &[
    "Первая городская библиотека открылась в бараке у медеплавильного завода зимой тридцать седьмого года.",
    "Её фонд составляли четыреста книг, привезённых из Караганды на грузовике.",
    "Читальный зал отапливался печью, и библиотекарь приходил раньше всех, чтобы растопить её.",
    "В годы войны сюда эвакуировали часть фондов из Ленинграда и Харькова.",
    "Газета «Балхашский рабочий» выходила три раза в неделю на четырёх полосах.",
    "Подшивки за пятидесятые годы сохранились почти полностью, хотя бумага пожелтела и крошится.",
    "Краеведы записывали воспоминания старожилов о строительстве порта и железной дороги.",
    "Рыболовецкие артели на озере сдавали улов на консервный комбинат в посёлке Приозёрск.",
    "В архиве хранятся фотографии первых улиц, школ и клуба горняков.",
    "Каталог карточек был переведён в электронный вид только в начале двухтысячных годов.",
    "Сотрудники сверяют каждую страницу с оригиналом, прежде чем выложить её в открытый доступ.",
    "Исследователи из Алматы и Астаны запрашивают копии статей о водном балансе озера.",
    "Статья в журнале Nature об уровне Lake Balkhash цитирует местные наблюдения тех лет.",
    "Компания Kazakhmys передала библиотеке альбом фотографий рудника Коунрад.",
    "Часть изданий уже доступна через Internet Archive и Open Library.",
    "Студенты колледжа помогают расшифровывать рукописные пометки на полях.",
    "Весной озеро разливалось, и дорогу к рыбзаводу размывало на несколько недель.",
    "Учителя приводили классы в библиотеку на уроки краеведения по субботам.",
    "В читальном зале висела карта района, нарисованная от руки инженером треста.",
    "Многие номера газеты печатались на двух языках, казахском и русском.",
    "Сводки о выплавке меди публиковались на первой полосе рядом с прогнозом погоды.",
    "Объявления о концертах духового оркестра занимали целую колонку.",
    "На фотографии видна набережная, тополя и старое здание почты.",
    "Летом приезжали геологи, и библиотека выдавала им справочники и карты.",
    "Редакция получала письма читателей из отдалённых аулов и станций.",
    "Некоторые выпуски сохранились только в одном экземпляре, с оторванными углами.",
    "Переплётчик восстанавливал корешки старых книг клеем и суровой ниткой.",
    "В семидесятые годы открылся детский абонемент с отдельным входом.",
    "Краеведческий музей и библиотека вместе готовили выставку к юбилею города.",
    "Рукописи местных поэтов передавали в фонд их родственники.",
    "Scanner Epson и программа для распознавания текста появились в отделе недавно.",
    "Каждая оцифрованная страница получает шифр, дату и описание состояния.",
    "Поиск по тексту позволяет найти фамилию, упомянутую в заметке один раз.",
    "Ветер с озера приносил песок, и окна хранилища заклеивали на зиму.",
    "Заведующая отделом составила указатель статей о рыбном промысле.",
    "Старые снимки подписаны карандашом на обороте, иногда неразборчиво.",
    "Читатели просят сохранить и рекламные объявления, потому что в них видна жизнь города.",
    "Подписка на газету в шестидесятые годы стоила несколько рублей в год.",
];

const RUSSIAN_HEADLINES: &[&str] = &[
    "Летопись города у озера",
    "Страницы старых подшивок",
    "Как библиотека хранит память",
    "Медь, рыба и книги",
    "Голоса первых строителей",
    "Открытый архив для всех",
];

/// A pair of faces a page is set in: the body, and the headline of a newspaper page.
struct Typeface {
    name: &'static str,
    body: &'static str,
    headline: &'static str,
    package: &'static str,
}

const fn face(name: &'static str, body: &'static str, headline: &'static str, package: &'static str) -> Typeface {
    Typeface { name, body, headline, package }
}

/// The tune half's typefaces; the held-back half has its own.
const TUNE_FACES: [Typeface; 4] = [
    face("PT Serif", "truetype/paratype/PTF55F.ttf", "truetype/paratype/PTF75F.ttf", "fonts-paratype"),
    face(
        "Liberation Serif",
        "truetype/liberation2/LiberationSerif-Regular.ttf",
        "truetype/liberation2/LiberationSerif-Bold.ttf",
        "fonts-liberation2",
    ),
    face("C059", "opentype/urw-base35/C059-Roman.otf", "opentype/urw-base35/C059-Bold.otf", "fonts-urw-base35"),
    face("CMU Serif", "truetype/cmu/cmunrm.ttf", "truetype/cmu/cmunbx.ttf", "fonts-cmu"),
];
const HELDOUT_FACES: [Typeface; 4] = [
    face(
        "Linux Libertine O",
        "opentype/linux-libertine/LinLibertine_R.otf",
        "opentype/linux-libertine/LinLibertine_RB.otf",
        "fonts-linuxlibertine",
    ),
    face("P052", "opentype/urw-base35/P052-Roman.otf", "opentype/urw-base35/P052-Bold.otf", "fonts-urw-base35"),
    face("PT Sans", "truetype/paratype/PTS55F.ttf", "truetype/paratype/PTS75F.ttf", "fonts-paratype"),
    face(
        "Liberation Sans",
        "truetype/liberation2/LiberationSans-Regular.ttf",
        "truetype/liberation2/LiberationSans-Bold.ttf",
        "fonts-liberation2",
    ),
];

/// Typefaces in neither half, for pages made to check the halves' figures.
const OTHER_FACES: [Typeface; 4] = [
    face(
        "DejaVu Serif",
        "truetype/dejavu/DejaVuSerif.ttf",
        "truetype/dejavu/DejaVuSerif-Bold.ttf",
        "fonts-dejavu-core",
    ),
    face(
        "Nimbus Sans",
        "opentype/urw-base35/NimbusSans-Regular.otf",
        "opentype/urw-base35/NimbusSans-Bold.otf",
        "fonts-urw-base35",
    ),
    face(
        "URW Bookman",
        "opentype/urw-base35/URWBookman-Light.otf",
        "opentype/urw-base35/URWBookman-Demi.otf",
        "fonts-urw-base35",
    ),
    face("CMU Sans Serif", "truetype/cmu/cmunss.ttf", "truetype/cmu/cmunsx.ttf", "fonts-cmu"),
];

#[derive(Clone, Copy, PartialEq)]
enum Damage {
    Lighting,
    Jpeg,
    Halftone,
    Pencil,
    Curl,
    Turn90,
    Turn180,
    Faint,
    Grain,
}

const DAMAGES: [Damage; 9] = [
    Damage::Lighting,
    Damage::Jpeg,
    Damage::Halftone,
    Damage::Pencil,
    Damage::Curl,
    Damage::Turn90,
    Damage::Turn180,
    Damage::Faint,
    Damage::Grain,
];

impl Damage {
    fn name(self) -> &'static str {
        match self {
            Damage::Lighting => "lighting",
            Damage::Jpeg => "jpeg",
            Damage::Halftone => "halftone",
            Damage::Pencil => "pencil",
            Damage::Curl => "curl",
            Damage::Turn90 => "turn90",
            Damage::Turn180 => "turn180",
            Damage::Faint => "faint",
            Damage::Grain => "grain",
        }
    }
}

/// xorshift64*: the pages must come out the same on every machine.
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x6A09_E667_F3BC_C909)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.unit()
    }

    fn index(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// About normal with mean 0 and deviation 1 (a sum of four uniforms), for sensor noise.
    fn normal(&mut self) -> f32 {
        ((0..4).map(|_| self.unit()).sum::<f32>() - 2.0) * 1.732
    }
}

struct LoadedFace {
    name: &'static str,
    body: FontVec,
    headline: FontVec,
}

/// Loads a typeface, refusing one that lacks a Kazakh letter.
fn load_face(face: &Typeface) -> Result<LoadedFace, String> {
    let load = |file: &str| -> Result<FontVec, String> {
        let path = Path::new("/usr/share/fonts").join(file);
        let bytes = std::fs::read(&path).map_err(|e| {
            format!(
                "{}: {e} (install it with scripts/install-deps.sh --bench, package {})",
                path.display(),
                face.package
            )
        })?;
        let font = FontVec::try_from_vec(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let missing = missing_letters(&font, KAZAKH_LETTERS);
        if !missing.is_empty() {
            return Err(format!(
                "{}: no glyph for the Kazakh letters {missing}; choose another typeface",
                path.display()
            ));
        }
        Ok(font)
    };
    Ok(LoadedFace { name: face.name, body: load(face.body)?, headline: load(face.headline)? })
}

fn missing_letters(font: &FontVec, text: &str) -> String {
    let mut missing: Vec<char> = text.chars().filter(|c| !c.is_whitespace() && font.glyph_id(*c).0 == 0).collect();
    missing.sort_unstable();
    missing.dedup();
    missing.into_iter().collect()
}

/// The treebank's sentences, in file-name order then file order.
fn kazakh_sentences(treebank: &Path) -> Result<Vec<String>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(treebank)
        .map_err(|e| format!("{}: {e} (the Kazakh UD treebank, ../shared/texts/ud-kazakh-ktb)", treebank.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "conllu"))
        .collect();
    files.sort();
    let mut sentences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        sentences.extend(text.lines().filter_map(|l| l.strip_prefix("# text = ")).map(|s| s.trim().to_string()));
    }
    if sentences.len() < 200 {
        return Err(format!("{}: only {} sentences; expected the KTB treebank", treebank.display(), sentences.len()));
    }
    Ok(sentences)
}

/// Text for one page: a headline and paragraphs of three to five sentences, more than a
/// page holds (what does not fit is not printed, and not in the ground truth). Sentences
/// with a character the typeface lacks are passed over, so the truth is what is printed.
fn page_text(pool: &[String], headlines: &[String], font: &FontVec, dice: &mut Dice) -> (String, Vec<String>) {
    let printable = |s: &String| missing_letters(font, s).is_empty();
    let headline = loop {
        let candidate = &headlines[dice.index(headlines.len())];
        if printable(candidate) {
            break candidate.clone();
        }
    };
    let mut sentences = pool.iter().cycle().skip(dice.index(pool.len())).filter(|s| printable(s));
    let paragraphs = (0..40)
        .map(|_| {
            let count = 3 + dice.index(3);
            sentences.by_ref().take(count).cloned().collect::<Vec<_>>().join(" ")
        })
        .collect();
    (headline, paragraphs)
}

/// A rectangle on the page, in inches.
#[derive(Clone, Copy)]
struct Frame {
    x: f32,
    y: f32,
    width: f32,
    height: f32,
}

/// Sets `paragraphs` through `frames` in order (the text goes on in the next frame where
/// it stops in one), black on white; the printed lines in reading order.
fn flow(
    page: &mut GrayImage,
    font: &FontVec,
    font_pt: f32,
    dpi: f32,
    frames: &[Frame],
    paragraphs: Vec<String>,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut text = paragraphs;
    for frame in frames {
        let spec =
            PageSpec { width_in: frame.width, height_in: frame.height, dpi, font_pt, margin_in: 0.0, leading: 1.35 };
        let rendered = fixtures::render_page(font, &spec, &text.iter().map(String::as_str).collect::<Vec<_>>());
        overlay_ink(page, &rendered.image, frame.x * dpi, frame.y * dpi);
        lines.extend(rendered.lines);
        text = vec![rendered.overflow.join(" ")];
    }
    lines
}

/// Draws the dark pixels of `ink` onto `page` (frames may touch, white must not erase).
fn overlay_ink(page: &mut GrayImage, ink: &GrayImage, x: f32, y: f32) {
    let (x, y) = (x as u32, y as u32);
    for (dx, dy, pixel) in ink.enumerate_pixels() {
        let (px, py) = (x + dx, y + dy);
        if px < page.width() && py < page.height() {
            let old = page.get_pixel(px, py)[0];
            page.put_pixel(px, py, Luma([old.min(pixel[0])]));
        }
    }
}

/// A made-up photograph (sky, hills, a building, the sun) printed as a newspaper halftone:
/// round dots on a 45° screen of `lines_per_inch`, in a thin frame.
fn halftone(page: &mut GrayImage, frame: Frame, dpi: f32, lines_per_inch: f32, dice: &mut Dice) {
    let (x0, y0) = ((frame.x * dpi) as u32, (frame.y * dpi) as u32);
    let (width, height) = ((frame.width * dpi) as u32, (frame.height * dpi) as u32);
    let cell = dpi / lines_per_inch;
    let (phase, hill, house) = (dice.range(0.0, 6.0), dice.range(0.5, 0.7), dice.range(0.15, 0.6));
    let darkness = |u: f32, v: f32| -> f32 {
        let ridge = hill + 0.08 * (u * 7.0 + phase).sin();
        let sun = ((u - 0.8).powi(2) + (v - 0.2).powi(2)).sqrt() < 0.08;
        if (house..house + 0.25).contains(&u) && v > ridge - 0.3 {
            let window = ((u - house) * 40.0).sin() > 0.5 && ((v * 30.0).sin()) > 0.3;
            if window {
                0.25
            } else {
                0.8
            }
        } else if v > ridge {
            0.55 + 0.25 * ((u * 23.0 + v * 9.0).sin() * 0.5 + 0.5)
        } else if sun {
            0.0
        } else {
            0.1 + 0.25 * v
        }
    };
    let root = std::f32::consts::FRAC_1_SQRT_2;
    for dy in 0..height {
        for dx in 0..width {
            let (x, y) = (dx as f32, dy as f32);
            let (a, b) = ((x + y) * root / cell, (x - y) * root / cell);
            let (fa, fb) = (a - a.floor() - 0.5, b - b.floor() - 0.5);
            let dark = darkness(x / width as f32, y / height as f32);
            let edge = dx < 3 || dy < 3 || dx + 3 >= width || dy + 3 >= height;
            if edge || (fa * fa + fb * fb).sqrt() < (dark / std::f32::consts::PI).sqrt() {
                page.put_pixel(x0 + dx, y0 + dy, Luma([0]));
            }
        }
    }
}

/// How a page is laid out.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Book,
    News,
}

/// The page drawn in black on white, and its lines in reading order. A halftone page has
/// a photograph above the text (mild) or beside it (heavy).
fn set_page(
    face: &LoadedFace,
    kind: Kind,
    photo: Option<bool>,
    dpi: f32,
    text: (String, Vec<String>),
    dice: &mut Dice,
) -> (GrayImage, Vec<String>) {
    let (headline, paragraphs) = text;
    let (page_w, page_h, margin) = match kind {
        Kind::Book => (5.83, 8.27, 0.65),
        Kind::News => (8.27, 11.69, 0.5),
    };
    let mut page = GrayImage::from_pixel((page_w * dpi) as u32, (page_h * dpi) as u32, Luma([255]));
    let text_w = page_w - 2.0 * margin;
    let mut lines = Vec::new();
    let (frames, photos, font_pt) = match kind {
        Kind::Book => {
            let top = margin;
            let height = page_h - 2.0 * margin;
            let (frames, photos) = match photo {
                None => (vec![Frame { x: margin, y: top, width: text_w, height }], vec![]),
                Some(false) => {
                    let picture = Frame { x: margin, y: top, width: text_w, height: 2.2 };
                    (vec![Frame { x: margin, y: top + 2.4, width: text_w, height: height - 2.4 }], vec![picture])
                }
                Some(true) => {
                    let picture = Frame { x: margin, y: top, width: text_w * 0.48, height: 3.0 };
                    let beside = Frame { x: margin + text_w * 0.52, y: top, width: text_w * 0.48, height: 3.0 };
                    let below = Frame { x: margin, y: top + 3.15, width: text_w, height: height - 3.15 };
                    (vec![beside, below], vec![picture])
                }
            };
            (frames, photos, 11.0)
        }
        Kind::News => {
            let spec = PageSpec { width_in: text_w, height_in: 1.1, dpi, font_pt: 24.0, margin_in: 0.0, leading: 1.2 };
            let rendered = fixtures::render_page(&face.headline, &spec, &[headline.as_str()]);
            overlay_ink(&mut page, &rendered.image, margin * dpi, margin * dpi);
            lines.extend(rendered.lines);
            let top = margin + 1.2;
            let (gutter, height) = (0.22, page_h - margin - top);
            let column_w = (text_w - 2.0 * gutter) / 3.0;
            let column_x = |c: f32| margin + c * (column_w + gutter);
            let column = |c: f32, y: f32| Frame { x: column_x(c), y, width: column_w, height: page_h - margin - y };
            let (frames, photos) = match photo {
                None => ((0..3).map(|c| column(c as f32, top)).collect(), vec![]),
                Some(false) => {
                    let picture = Frame { x: column_x(1.0), y: top, width: column_w, height: 2.0 };
                    (vec![column(0.0, top), column(1.0, top + 2.15), column(2.0, top)], vec![picture])
                }
                Some(true) => {
                    let picture = Frame { x: margin, y: top, width: 2.0 * column_w + gutter, height: height * 0.4 };
                    let below = top + height * 0.4 + 0.15;
                    (vec![column(0.0, below), column(1.0, below), column(2.0, top)], vec![picture])
                }
            };
            (frames, photos, 9.5)
        }
    };
    for picture in photos {
        let screen = if photo == Some(true) { 50.0 } else { 85.0 };
        halftone(&mut page, picture, dpi, screen, dice);
    }
    lines.extend(flow(&mut page, &face.body, font_pt, dpi, &frames, paragraphs));
    (page, lines)
}

/// What a scanner makes of the black-and-white page: paper tone, ink of `contrast`, sensor noise.
fn scan(page: &GrayImage, paper: f32, contrast: f32, noise: f32, dice: &mut Dice) -> GrayImage {
    GrayImage::from_fn(page.width(), page.height(), |x, y| {
        let ink = (255 - page.get_pixel(x, y)[0]) as f32 / 255.0 * contrast;
        Luma([(paper * (1.0 - ink) + noise * dice.normal()).clamp(0.0, 255.0) as u8])
    })
}

/// Light falling off across the page, and with `heavy` a dark corner and a glare that
/// washes the ink out where it falls.
fn uneven_light(page: &mut GrayImage, heavy: bool, dice: &mut Dice) {
    let (width, height) = page.dimensions();
    let (gx, gy) = (dice.range(0.25, 0.75), dice.range(0.25, 0.6));
    for (x, y, pixel) in page.enumerate_pixels_mut() {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let value = pixel[0] as f32;
        let lit = if heavy {
            let corner = ((1.0 - u).powi(2) + v.powi(2)).sqrt() / std::f32::consts::SQRT_2;
            let shaded = value * (1.0 - 0.6 * (1.0 - corner).powi(2)) * (1.0 - 0.25 * u);
            let glare = 0.75 * (-((u - gx).powi(2) + (v - gy).powi(2)) / 0.02).exp();
            shaded + glare * (255.0 - shaded)
        } else {
            value * (1.0 - 0.4 * u) * (1.0 - 0.1 * v)
        };
        *pixel = Luma([lit.clamp(0.0, 255.0) as u8]);
    }
}

/// Grainy grey pencil strokes: underlines, bars in the margin and, when `heavy`, strokes
/// across the text, loops round words and crossings-out.
fn pencil(page: &mut GrayImage, dpi: f32, heavy: bool, dice: &mut Dice) {
    let (width, height) = (page.width() as f32, page.height() as f32);
    let (strokes, gray, radius): (usize, f32, f32) = if heavy { (14, 110.0, 2.2) } else { (5, 150.0, 1.5) };
    for stroke in 0..strokes {
        let (x, y) = (dice.range(0.1, 0.8) * width, dice.range(0.1, 0.9) * height);
        let wobble = dice.range(0.0, 6.0);
        let path: Vec<(f32, f32)> = match stroke % if heavy { 4 } else { 2 } {
            // An underline under a line of text.
            0 => (0..(dice.range(1.0, 2.5) * dpi) as usize)
                .map(|t| (x + t as f32, y + 3.0 * (t as f32 / 40.0 + wobble).sin()))
                .collect(),
            // A bar in the margin beside a paragraph.
            1 => {
                let mx = if dice.unit() < 0.5 { 0.25 * dpi } else { width - 0.3 * dpi };
                (0..(dice.range(0.8, 2.0) * dpi) as usize)
                    .map(|t| (mx + 2.0 * (t as f32 / 50.0).sin(), y + t as f32))
                    .collect()
            }
            // A loop round a word.
            2 => (0..720)
                .map(|t| {
                    let a = t as f32 / 360.0 * std::f32::consts::TAU;
                    (x + 0.45 * dpi * a.cos(), y + 0.14 * dpi * a.sin() + t as f32 * 0.01)
                })
                .collect(),
            // A stroke across the text.
            _ => {
                let slope = dice.range(-0.5, 0.5);
                (0..(dice.range(1.5, 3.0) * dpi) as usize).map(|t| (x + t as f32, y + slope * t as f32)).collect()
            }
        };
        for (px, py) in path {
            let r = radius.ceil() as i32;
            for dy in -r..=r {
                for dx in -r..=r {
                    let (qx, qy) = (px as i32 + dx, py as i32 + dy);
                    let inside = ((dx * dx + dy * dy) as f32).sqrt() <= radius;
                    if inside
                        && qx >= 0
                        && qy >= 0
                        && (qx as u32) < page.width()
                        && (qy as u32) < page.height()
                        && dice.unit() < 0.6
                    {
                        let old = page.get_pixel(qx as u32, qy as u32)[0] as f32;
                        page.put_pixel(qx as u32, qy as u32, Luma([old.min(gray + dice.range(-20.0, 20.0)) as u8]));
                    }
                }
            }
        }
    }
}

/// The right edge of the page lifted off the glass: lines bend and crowd towards it, it
/// darkens, and past it the scanner lid shows.
fn curl(page: &GrayImage, heavy: bool) -> GrayImage {
    let (width, height) = (page.width() as f32, page.height() as f32);
    let (start, bend, crowd, shade) = if heavy { (0.62, 0.035, 0.45, 0.55) } else { (0.8, 0.012, 0.2, 0.25) };
    let x0 = start * width;
    GrayImage::from_fn(page.width(), page.height(), |x, y| {
        let t = ((x as f32 - x0) / (width - x0)).max(0.0);
        let sx = x0.min(x as f32) + (x as f32 - x0).max(0.0) * (1.0 + crowd * t);
        let sy = y as f32 + bend * height * t * t * (y as f32 / height - 0.5) * 2.0;
        if sx >= width || sy < 0.0 || sy >= height {
            return Luma([60]);
        }
        let value = page.get_pixel(sx as u32, sy as u32)[0] as f32 * (1.0 - shade * t * t);
        Luma([value as u8])
    })
}

fn skew(page: &GrayImage, degrees: f32, paper: u8) -> GrayImage {
    rotate_about_center(page, degrees.to_radians(), Interpolation::Bilinear, Border::Constant(Luma([paper])))
}

/// One page of the corpus, from its seed.
struct Made {
    name: String,
    image_file: String,
    manifest: serde_json::Value,
}

fn make_page(
    out: &Path,
    number: usize,
    damage: Damage,
    heavy: bool,
    seed: u64,
    face: &LoadedFace,
    pools: &Pools,
) -> Result<Made, String> {
    let mut dice = Dice::new(seed);
    let damage_index = DAMAGES.iter().position(|d| *d == damage).unwrap_or(0);
    let kind = if (damage_index + heavy as usize).is_multiple_of(2) { Kind::Book } else { Kind::News };
    let kazakh = (damage_index + heavy as usize + seed as usize).is_multiple_of(2);
    let dpi = if matches!(damage, Damage::Jpeg | Damage::Grain) && heavy { 200.0 } else { 300.0 };
    let text = if kazakh {
        let (headline, mut paragraphs) = page_text(&pools.kazakh, &pools.kazakh_headlines, &face.body, &mut dice);
        // The source line goes where a short page's text ends: after the first paragraphs.
        paragraphs.insert(2, KAZAKH_SOURCE.to_string());
        (headline, paragraphs)
    } else {
        page_text(&pools.russian, &pools.russian_headlines, &face.body, &mut dice)
    };
    let photo = (damage == Damage::Halftone).then_some(heavy);
    let (ink, lines) = set_page(face, kind, photo, dpi, text, &mut dice);

    let paper = dice.range(222.0, 240.0);
    let (contrast, noise) = match (damage, heavy) {
        (Damage::Faint, false) => (0.30, 5.0),
        (Damage::Faint, true) => (0.16, 6.0),
        (_, false) => (dice.range(0.85, 0.95), 5.0),
        (_, true) => (dice.range(0.75, 0.9), 9.0),
    };
    let mut page = scan(&ink, paper, contrast, noise, &mut dice);
    match damage {
        Damage::Lighting => uneven_light(&mut page, heavy, &mut dice),
        Damage::Pencil => pencil(&mut page, dpi, heavy, &mut dice),
        Damage::Curl => page = curl(&page, heavy),
        _ => {}
    }
    let tilt = dice.range(0.2, if heavy { 2.0 } else { 0.9 }) * if dice.unit() < 0.5 { -1.0 } else { 1.0 };
    page = skew(&page, tilt, paper as u8);
    page = imageproc::filter::box_filter(&page, 1, 1);
    if damage == Damage::Grain {
        // A sensor's own noise, pixel by pixel after the optics' blur: the grain of a cheap
        // scanner pushed to its limits, which cleaning must smooth.
        let grain = if heavy { 16.0 } else { 10.0 };
        for pixel in page.pixels_mut() {
            pixel.0[0] = (pixel.0[0] as f32 + grain * dice.normal()).clamp(0.0, 255.0) as u8;
        }
    }
    page = match (damage, heavy) {
        (Damage::Turn90, false) => image::imageops::rotate90(&page),
        (Damage::Turn90, true) => image::imageops::rotate270(&page),
        (Damage::Turn180, _) => image::imageops::rotate180(&page),
        _ => page,
    };

    let kind_name = if kind == Kind::Book { "book" } else { "news" };
    let lang = if kazakh { "kaz" } else { "rus" };
    let level = if heavy { "heavy" } else { "mild" };
    let name = format!("{number:03}_{kind_name}_{lang}_{level}_{}", damage.name());
    let image_file = match damage {
        Damage::Jpeg => format!("{name}.jpg"),
        Damage::Curl => format!("{name}.tif"),
        _ => format!("{name}.png"),
    };
    let path = out.join(&image_file);
    let written = match damage {
        Damage::Jpeg => fixtures::write_jpeg(&path, &page, dpi, if heavy { 12 } else { 30 }),
        Damage::Curl => fixtures::write_tiff(&path, &[page], dpi, TiffKind::Lzw),
        _ => fixtures::write_png(&path, &page, dpi),
    };
    written.map_err(|e| format!("{}: {e}", path.display()))?;
    let truth = out.join(format!("{name}.gt.txt"));
    std::fs::write(&truth, lines.join("\n") + "\n").map_err(|e| format!("{}: {e}", truth.display()))?;
    let manifest = serde_json::json!({
        "image": image_file, "gt": format!("{name}.gt.txt"), "kind": kind_name, "lang": lang, "level": level,
        "dpi": dpi.round() as u32, "two_page_spread": false, "damage": damage.name(), "typeface": face.name, "seed": seed,
    });
    Ok(Made { name, image_file, manifest })
}

/// The prose one half's pages are drawn from.
struct Pools {
    kazakh: Vec<String>,
    kazakh_headlines: Vec<String>,
    russian: Vec<String>,
    russian_headlines: Vec<String>,
}

impl Pools {
    fn new(kazakh: &[String]) -> Pools {
        let headlines = kazakh
            .iter()
            .filter(|s| (20..60).contains(&s.chars().count()))
            .map(|s| s.trim_end_matches(['.', '!', '?', '…']).to_string())
            .collect();
        Pools {
            kazakh: kazakh.to_vec(),
            kazakh_headlines: headlines,
            russian: RUSSIAN.iter().map(|s| s.to_string()).collect(),
            russian_headlines: RUSSIAN_HEADLINES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: heldout_pages OUT_DIR TREEBANK_DIR (the Kazakh UD treebank, ../shared/texts/ud-kazakh-ktb) \
                 [--seed-offset N] [--other-faces]";
    let out = PathBuf::from(args.next().ok_or(usage)?);
    let treebank = PathBuf::from(args.next().ok_or(usage)?);
    let (mut seed_offset, mut tune_faces) = (0u64, &TUNE_FACES);
    while let Some(option) = args.next() {
        match option.as_str() {
            "--seed-offset" => {
                let n = args.next().ok_or(usage)?;
                // Two levels of every damage, each from an even (tune) and an odd seed.
                let halves_seeds = (DAMAGES.len() * 2 * 2) as u64;
                seed_offset =
                    n.parse().ok().filter(|n: &u64| n.is_multiple_of(2) && *n >= halves_seeds).ok_or(format!(
                        "--seed-offset {n}: give an even number of {halves_seeds} or more (the halves use seeds 0–{})",
                        halves_seeds - 1
                    ))?;
            }
            "--other-faces" => tune_faces = &OTHER_FACES,
            other => return Err(format!("unknown option {other}\n{usage}")),
        }
    }
    let sentences = kazakh_sentences(&treebank)?;
    let (first, second) = sentences.split_at(sentences.len() / 2);
    let halves = [("tune", tune_faces, Pools::new(first), 0u64), ("heldout", &HELDOUT_FACES, Pools::new(second), 1u64)];
    for (half, faces, pools, parity) in halves {
        let faces = faces.iter().map(load_face).collect::<Result<Vec<_>, _>>()?;
        let dir = out.join(half);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut manifest = Vec::new();
        for (d, damage) in DAMAGES.iter().enumerate() {
            for heavy in [false, true] {
                let slot = d * 2 + heavy as usize;
                let seed = seed_offset + slot as u64 * 2 + parity;
                let made = make_page(&dir, manifest.len(), *damage, heavy, seed, &faces[slot % faces.len()], &pools)?;
                println!("{half}/{} ({})", made.image_file, made.name);
                manifest.push(made.manifest);
            }
        }
        let file = dir.join("manifest.json");
        let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
        std::fs::write(&file, json + "\n").map_err(|e| format!("{}: {e}", file.display()))?;
        println!("{} pages written to {}", manifest.len(), dir.display());
    }
    Ok(())
}
