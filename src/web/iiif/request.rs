//! An Image API 3 request, `{region}/{size}/{rotation}/{quality}.{format}`: read, then
//! fitted to an image of a given size (what part of it, how large the answer is).

use super::{MAX_AREA, MAX_SIDE};

/// Why a request is not answered: it is not one the Image API allows (400), or it is but
/// this server does not do it (501).
#[derive(Debug, PartialEq)]
pub(crate) enum Rejection {
    BadRequest(String),
    NotImplemented(String),
}

fn bad(message: impl Into<String>) -> Rejection {
    Rejection::BadRequest(message.into())
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Region {
    Full,
    Square,
    Pixels(u32, u32, u32, u32),
    Percent(f64, f64, f64, f64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Size {
    Max,
    Width(u32),
    Height(u32),
    Exact(u32, u32),
    /// `!w,h`: as large as fits in w × h.
    Within(u32, u32),
    Percent(f64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quality {
    Default,
    Color,
    Gray,
}

/// A request as read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ImageRequest {
    region: Region,
    size: Size,
    /// `^`: the answer may be larger than the region.
    upscale: bool,
    pub quality: Quality,
}

/// A rectangle of the image, in its pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    /// The rectangle inside an image `width` × `height` (the decoded page, which may differ
    /// from its record's size by a rounding); `None` when nothing of it is.
    pub(crate) fn within(self, width: u32, height: u32) -> Option<Rect> {
        let x = self.x.min(width);
        let y = self.y.min(height);
        let rect = Rect { x, y, width: self.width.min(width - x), height: self.height.min(height - y) };
        (rect.width > 0 && rect.height > 0).then_some(rect)
    }
}

/// A request fitted to an image: the part cut out, and the size it is scaled to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cut {
    pub region: Rect,
    pub width: u32,
    pub height: u32,
    /// The image is `image_width` × `image_height`.
    image: (u32, u32),
}

impl Cut {
    /// Whether the whole image is asked for.
    pub(crate) fn whole(&self) -> bool {
        (self.region.x, self.region.y, self.region.width, self.region.height) == (0, 0, self.image.0, self.image.1)
    }
}

/// A whole number of pixels as the API writes it: digits only.
fn pixels(text: &str) -> Result<u32, Rejection> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!("'{text}' is not a number of pixels")));
    }
    text.parse().map_err(|_| bad(format!("{text} pixels is too many")))
}

/// A percentage or an angle: digits with at most one point.
fn decimal(text: &str) -> Result<f64, Rejection> {
    let fit = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|&b| b == b'.').count() <= 1
        && text != ".";
    fit.then(|| text.parse().ok()).flatten().ok_or_else(|| bad(format!("'{text}' is not a number")))
}

fn four<T>(text: &str, each: impl Fn(&str) -> Result<T, Rejection>) -> Result<[T; 4], Rejection> {
    let parts: Vec<&str> = text.split(',').collect();
    let [a, b, c, d] = parts[..] else { return Err(bad(format!("'{text}' is not x,y,w,h"))) };
    Ok([each(a)?, each(b)?, each(c)?, each(d)?])
}

impl ImageRequest {
    pub(crate) fn parse(region: &str, size: &str, rotation: &str, file: &str) -> Result<ImageRequest, Rejection> {
        let region = match region {
            "full" => Region::Full,
            "square" => Region::Square,
            _ => match region.strip_prefix("pct:") {
                Some(pct) => {
                    let [x, y, w, h] = four(pct, decimal)?;
                    Region::Percent(x, y, w, h)
                }
                None => {
                    let [x, y, w, h] = four(region, pixels)?;
                    Region::Pixels(x, y, w, h)
                }
            },
        };
        let (upscale, size_text) = match size.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, size),
        };
        let size = if size_text == "max" {
            Size::Max
        } else if let Some(pct) = size_text.strip_prefix("pct:") {
            Size::Percent(decimal(pct)?)
        } else {
            let (within, dimensions) = match size_text.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, size_text),
            };
            let (w, h) = dimensions.split_once(',').ok_or_else(|| bad(format!("'{size}' is not a size")))?;
            match (w, h, within) {
                (w, "", false) => Size::Width(pixels(w)?),
                ("", h, false) => Size::Height(pixels(h)?),
                (w, h, false) => Size::Exact(pixels(w)?, pixels(h)?),
                (w, h, true) => Size::Within(pixels(w)?, pixels(h)?),
            }
        };
        let (mirrored, degrees) = match rotation.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rotation),
        };
        let degrees = decimal(degrees)?;
        if degrees > 360.0 {
            return Err(bad(format!("rotation {degrees} is more than 360")));
        }
        if mirrored || degrees != 0.0 {
            return Err(Rejection::NotImplemented(format!("rotation {rotation}: only 0 is served")));
        }
        let (quality, format) = file.rsplit_once('.').ok_or_else(|| bad(format!("'{file}' is not quality.format")))?;
        let quality = match quality {
            "default" => Quality::Default,
            "color" => Quality::Color,
            "gray" => Quality::Gray,
            "bitonal" => return Err(Rejection::NotImplemented("bitonal: not served".into())),
            other => return Err(bad(format!("'{other}' is not a quality"))),
        };
        match format {
            "jpg" => {}
            "tif" | "png" | "gif" | "jp2" | "pdf" | "webp" => {
                return Err(Rejection::NotImplemented(format!("{format}: only jpg is served")))
            }
            other => return Err(bad(format!("'{other}' is not a format"))),
        }
        Ok(ImageRequest { region, size, upscale, quality })
    }

    /// The request fitted to an image `width` × `height`.
    pub(crate) fn resolve(&self, width: u32, height: u32) -> Result<Cut, Rejection> {
        let region = match self.region {
            Region::Full => Rect { x: 0, y: 0, width, height },
            Region::Square => {
                let side = width.min(height);
                Rect { x: (width - side) / 2, y: (height - side) / 2, width: side, height: side }
            }
            Region::Pixels(x, y, w, h) => Rect { x, y, width: w, height: h },
            Region::Percent(x, y, w, h) => {
                let along = |pct: f64, of: u32| (pct / 100.0 * of as f64).round().min(u32::MAX as f64) as u32;
                Rect { x: along(x, width), y: along(y, height), width: along(w, width), height: along(h, height) }
            }
        };
        if region.width == 0 || region.height == 0 {
            return Err(bad("the region is empty"));
        }
        let outside = || bad("the region lies outside the image");
        if region.x >= width || region.y >= height {
            return Err(outside());
        }
        let region = region.within(width, height).ok_or_else(outside)?;
        let (rw, rh) = (region.width as f64, region.height as f64);
        let limit = MAX_SIDE as f64;
        // The largest scale within the server's limits.
        let largest = (limit / rw).min(limit / rh).min((MAX_AREA as f64 / (rw * rh)).sqrt());
        let round = |v: f64| v.round().max(0.0) as u64;
        let (w, h) = match self.size {
            // Rounded down, so that the largest allowed is never past the limits (a side
            // rounded up can take the area over them; the fraction of a pixel a float
            // product falls short by is none), and a pixel at least.
            Size::Max => {
                let scale = if self.upscale { largest } else { largest.min(1.0) };
                let within = |v: f64| (v + 1e-6).floor().max(1.0) as u64;
                (within(rw * scale), within(rh * scale))
            }
            Size::Width(w) => (w as u64, round(rh * w as f64 / rw)),
            Size::Height(h) => (round(rw * h as f64 / rh), h as u64),
            Size::Exact(w, h) => (w as u64, h as u64),
            // The best fit; larger than the region it needs `^` (as the IIIF validator
            // reads the API: `!2000,3000` of a smaller image is 400).
            Size::Within(w, h) => {
                let scale = (w as f64 / rw).min(h as f64 / rh);
                (round(rw * scale), round(rh * scale))
            }
            Size::Percent(pct) => (round(rw * pct / 100.0), round(rh * pct / 100.0)),
        };
        if w == 0 || h == 0 {
            return Err(bad("the size is empty"));
        }
        if !self.upscale && (w > region.width as u64 || h > region.height as u64) {
            return Err(bad("larger than the region: ask with ^ to enlarge"));
        }
        if w > MAX_SIDE as u64 || h > MAX_SIDE as u64 || w * h > MAX_AREA {
            return Err(bad(format!("larger than this server makes ({MAX_SIDE} pixels a side, {MAX_AREA} in all)")));
        }
        Ok(Cut { region, width: w as u32, height: h as u32, image: (width, height) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(region: &str, size: &str) -> Result<Cut, Rejection> {
        ImageRequest::parse(region, size, "0", "default.jpg")?.resolve(1000, 2000)
    }

    fn dimensions(region: &str, size: &str) -> (u32, u32, u32, u32, u32, u32) {
        let c = cut(region, size).unwrap();
        (c.region.x, c.region.y, c.region.width, c.region.height, c.width, c.height)
    }

    #[test]
    fn regions_are_cut_as_the_api_says() {
        assert_eq!(dimensions("full", "max"), (0, 0, 1000, 2000, 1000, 2000));
        assert_eq!(dimensions("square", "max"), (0, 500, 1000, 1000, 1000, 1000));
        assert_eq!(dimensions("10,20,30,40", "max"), (10, 20, 30, 40, 30, 40));
        assert_eq!(dimensions("900,1900,500,500", "max"), (900, 1900, 100, 100, 100, 100), "cut at the edge");
        assert_eq!(dimensions("pct:10,10,50,25", "max"), (100, 200, 500, 500, 500, 500));
        assert!(matches!(cut("1000,0,10,10", "max"), Err(Rejection::BadRequest(_))), "outside");
        assert!(matches!(cut("0,0,0,10", "max"), Err(Rejection::BadRequest(_))));
        for bad_region in ["", "1,2,3", "a,b,c,d", "-1,0,10,10", "pct:1,2,3", "pct:x,1,1,1", "1.5,0,10,10"] {
            assert!(matches!(cut(bad_region, "max"), Err(Rejection::BadRequest(_))), "{bad_region}");
        }
    }

    #[test]
    fn sizes_scale_and_never_enlarge_without_a_caret() {
        assert_eq!(dimensions("full", "500,").4..=dimensions("full", "500,").5, 500..=1000);
        assert_eq!(dimensions("full", ",500"), (0, 0, 1000, 2000, 250, 500));
        assert_eq!(dimensions("full", "300,300"), (0, 0, 1000, 2000, 300, 300));
        assert_eq!(dimensions("full", "!500,500"), (0, 0, 1000, 2000, 250, 500));
        assert!(matches!(cut("full", "!3000,3000"), Err(Rejection::BadRequest(_))), "a fit larger than the region");
        assert_eq!(dimensions("full", "pct:50"), (0, 0, 1000, 2000, 500, 1000));
        assert!(matches!(cut("full", "1001,"), Err(Rejection::BadRequest(_))));
        assert!(matches!(cut("full", "pct:101"), Err(Rejection::BadRequest(_))));
        assert_eq!(dimensions("10,10,100,100", "^200,").4, 200);
        assert_eq!(dimensions("full", "^!3000,3000"), (0, 0, 1000, 2000, 1500, 3000));
        // ^max: as large as the server's limits allow.
        let max = cut("full", "^max").unwrap();
        assert!(max.height <= MAX_SIDE && max.width as u64 * max.height as u64 <= MAX_AREA);
        assert!(matches!(cut("full", "^6000,"), Err(Rejection::BadRequest(_))), "beyond the limits");
        for bad_size in ["", "full", "0,", ",0", "a,", "!500", "pct:", "^", "5,5,5"] {
            assert!(matches!(cut("full", bad_size), Err(Rejection::BadRequest(_))), "{bad_size}");
        }
    }

    #[test]
    fn max_is_the_largest_within_the_limits_never_past_them() {
        let max = |size: &str, width: u32, height: u32| {
            let cut = ImageRequest::parse("full", size, "0", "default.jpg").unwrap().resolve(width, height).unwrap();
            (cut.width, cut.height)
        };
        // 4000 × 5000 is 20 million pixels: scaled to the area, a side rounded up would
        // take it over (3578 × 4472).
        assert_eq!(max("max", 4000, 5000), (3577, 4472));
        assert_eq!(max("^max", 4000, 5000), (3577, 4472));
        assert_eq!(max("max", 1000, 2000), (1000, 2000), "within the limits: as it is");
        assert_eq!(max("^max", 1000, 2000), (2500, 5000), "enlarged up to a side's limit exactly");
        for (width, height) in [(4000, 5000), (4001, 4999), (6000, 3001), (9999, 7777), (3, 60_000)] {
            for size in ["max", "^max"] {
                let (w, h) = max(size, width, height);
                assert!(w <= MAX_SIDE && h <= MAX_SIDE && w as u64 * h as u64 <= MAX_AREA, "{size} {width}×{height}");
            }
        }
    }

    #[test]
    fn only_rotation_0_and_jpg_are_served_and_other_valid_requests_are_501() {
        let parse = |rotation: &str, file: &str| ImageRequest::parse("full", "max", rotation, file);
        assert_eq!(parse("0", "gray.jpg").unwrap().quality, Quality::Gray);
        assert!(parse("0.0", "color.jpg").is_ok());
        for (rotation, file) in
            [("90", "default.jpg"), ("!0", "default.jpg"), ("0", "default.png"), ("0", "bitonal.jpg")]
        {
            assert!(matches!(parse(rotation, file), Err(Rejection::NotImplemented(_))), "{rotation} {file}");
        }
        for (rotation, file) in
            [("abc", "default.jpg"), ("361", "default.jpg"), ("0", "fancy.jpg"), ("0", "default.xyz"), ("0", "default")]
        {
            assert!(matches!(parse(rotation, file), Err(Rejection::BadRequest(_))), "{rotation} {file}");
        }
    }
}
