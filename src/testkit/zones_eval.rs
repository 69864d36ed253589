//! Measures zone proposal against synthetic newspaper issues ([`super::newspaper`]): each
//! page goes through preparation and Tesseract as ingest runs them, then through zoning;
//! an article counts as found on a page when the zones of one proposed article there
//! (the draft manifest's row), as one box, cover its true box with an intersection over
//! union of at least 0.8. An article cut into two proposed ones is not found. Issues with even seeds are the half tuned on, odd seeds the
//! half held back.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use super::newspaper::{self, Fonts, NewspaperPage, Prose, TruthKind};
use crate::ingest::StageSeconds;
use crate::page::{BBox, PageImage, PageOrigin, SourcePage};
use crate::prepare::{self, PrepareOptions};
use crate::zones::propose::propose;
use crate::zones::Zone;

/// The score of a half.
#[derive(Clone, Debug, Default)]
pub struct Score {
    pub pages: usize,
    /// Article parts, one per article per page it is on.
    pub articles: usize,
    pub matched: usize,
    pub zoning_seconds: f64,
    /// Preparing and reading (OCR, orientation, guard) the pages.
    pub reading_seconds: f64,
}

impl Score {
    pub fn share(&self) -> f64 {
        if self.articles == 0 {
            0.0
        } else {
            self.matched as f64 / self.articles as f64
        }
    }
}

/// One page's result, for looking into.
pub struct PageResult {
    pub seed: u64,
    pub page: usize,
    pub articles: usize,
    pub matched: usize,
    /// The articles missed: headline, and the best IoU reached.
    pub missed: Vec<(String, f64)>,
    pub zones: Vec<Zone>,
    pub image: image::GrayImage,
}

/// Zones and scores the pages of issues `seeds`.
pub fn evaluate(seeds: &[u64], treebank: &Path, models: &str) -> Result<(Score, Vec<PageResult>), String> {
    let fonts = Fonts::load()?;
    let prose = Prose::load(treebank);
    let pages: Vec<(u64, usize, NewspaperPage)> = seeds
        .iter()
        .flat_map(|&seed| {
            newspaper::issue(seed, &fonts, &prose).into_iter().enumerate().map(move |(n, p)| (seed, n, p))
        })
        .collect();
    let results: Vec<Result<(PageResult, f64, f64), String>> =
        pages.into_par_iter().map(|(seed, n, page)| zone_and_score(seed, n, page, models)).collect();
    let mut score = Score::default();
    let mut out = Vec::new();
    for result in results {
        let (page, reading, zoning) = result?;
        score.pages += 1;
        score.articles += page.articles;
        score.matched += page.matched;
        score.reading_seconds += reading;
        score.zoning_seconds += zoning;
        out.push(page);
    }
    Ok((score, out))
}

fn zone_and_score(seed: u64, n: usize, page: NewspaperPage, models: &str) -> Result<(PageResult, f64, f64), String> {
    let source = SourcePage {
        origin: PageOrigin { file: format!("issue-{seed}-p{}.png", n + 1).into(), index: 0 },
        image: PageImage::Gray(page.image),
        dpi: page.dpi,
        dpi_from_file: true,
    };
    let options = PrepareOptions::default();
    let timer = Instant::now();
    let mut prepared = prepare::prepare(source, &options);
    if prepared.len() != 1 {
        return Err(format!("issue {seed} page {}: preparation made {} pages of it", n + 1, prepared.len()));
    }
    let (prepared, recognized) =
        crate::ingest::recognize_prepared(prepared.remove(0), models, &options, &mut StageSeconds::default())
            .map_err(|e| e.to_string())?;
    let reading = timer.elapsed().as_secs_f64();
    let gray = prepared.archive.to_gray();
    let timer = Instant::now();
    let proposal = propose(&gray, &recognized);
    let zoning = timer.elapsed().as_secs_f64();
    // Each proposed article's zones on the page, as one box.
    let proposed: Vec<BBox> = proposal
        .articles
        .iter()
        .filter_map(|(numbers, _)| {
            proposal.zones.iter().filter(|z| numbers.contains(&z.number)).map(|z| z.bbox).reduce(|a, b| a.union(&b))
        })
        .collect();
    let mut result = PageResult {
        seed,
        page: n + 1,
        articles: 0,
        matched: 0,
        missed: Vec::new(),
        zones: proposal.zones,
        image: gray,
    };
    for truth in page.truth.iter().filter(|t| t.kind == TruthKind::Article) {
        result.articles += 1;
        let best = proposed.iter().map(|p| p.iou(&truth.bbox)).fold(0.0, f64::max);
        if best >= 0.8 {
            result.matched += 1;
        } else {
            result.missed.push((truth.headline.clone().unwrap_or_default(), best));
        }
    }
    Ok((result, reading, zoning))
}

/// A page with its proposed zones outlined, as `olke zones` previews it.
pub fn preview(page: &PageResult) -> image::RgbImage {
    crate::zones::preview_image(&page.image, &page.zones)
}
