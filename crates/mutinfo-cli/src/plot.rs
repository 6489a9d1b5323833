//! Plots: a horizontal bar chart for rankings and line charts for curves, as SVG or PNG.
//!
//! Text is laid out with DejaVu Sans from the system
//! (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`, Debian package `fonts-dejavu-core`);
//! without it, plotting is refused with a message naming the package.

use crate::error::{CliError, Result};
use plotters::prelude::*;
use std::path::Path;

const FONT_PATHS: [&str; 3] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
];

fn plot_err(path: &Path, e: impl std::fmt::Display) -> CliError {
    CliError::Plot {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

enum Kind {
    Svg,
    Png,
}

/// Registers DejaVu Sans once: plotters lays text out with it for SVG and PNG alike.
fn register_font(path: &Path) -> Result<()> {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        FONT_PATHS
            .iter()
            .find_map(|p| std::fs::read(p).ok())
            .is_some_and(|font| {
                let font: &'static [u8] = Box::leak(font.into_boxed_slice());
                plotters::style::register_font("sans-serif", FontStyle::Normal, font).is_ok()
            })
    });
    if ok {
        Ok(())
    } else {
        Err(plot_err(path, "no usable DejaVu Sans font for plot text; install the Debian package fonts-dejavu-core"))
    }
}

fn kind(path: &Path) -> Result<Kind> {
    let k = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => Kind::Svg,
        Some("png") => Kind::Png,
        _ => {
            return Err(CliError::Usage(format!(
                "--plot {}: the file name must end in .svg or .png",
                path.display()
            )))
        }
    };
    register_font(path)?;
    Ok(k)
}

/// Draws into a temporary file next to `path` and renames it into place.
fn with_backend(
    path: &Path,
    w: u32,
    h: u32,
    draw: impl Fn(DrawingArea<SVGBackend, plotters::coord::Shift>) -> std::result::Result<(), String>,
    draw_png: impl Fn(
        DrawingArea<BitMapBackend, plotters::coord::Shift>,
    ) -> std::result::Result<(), String>,
) -> Result<()> {
    let k = kind(path)?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("svg");
    let dest = crate::output::Destination::new("--plot", path)?;
    let tmp = dest.temp(&format!(".{ext}"));
    let res = match k {
        Kind::Svg => {
            let root = SVGBackend::new(&tmp, (w, h)).into_drawing_area();
            draw(root)
        }
        Kind::Png => {
            let root = BitMapBackend::new(&tmp, (w, h)).into_drawing_area();
            draw_png(root)
        }
    };
    match res {
        Ok(()) => dest.commit(&tmp),
        Err(e) => {
            dest.discard(&tmp);
            Err(plot_err(path, e))
        }
    }
}

/// A horizontal bar chart of `(label, value)` in the given order (best first), titled.
pub fn bar_chart(path: &Path, title: &str, unit: &str, bars: &[(String, f64)]) -> Result<()> {
    let n = bars.len().max(1);
    let h = (80 + 22 * n as u32).clamp(200, 4000);
    let max = bars.iter().map(|b| b.1).fold(0.0f64, f64::max).max(1e-12) * 1.1;
    let min = bars.iter().map(|b| b.1).fold(0.0f64, f64::min);
    macro_rules! draw {
        ($root:expr) => {{
            let root = $root;
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let mut chart = ChartBuilder::on(&root)
                .caption(title, ("sans-serif", 20))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(160)
                .build_cartesian_2d(min..max, (0..n).into_segmented())
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .x_desc(unit)
                .y_labels(n)
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => (n - 1)
                        .checked_sub(*i)
                        .and_then(|k| bars.get(k))
                        .map(|b| b.0.clone())
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .draw()
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                    let row = n - 1 - i;
                    let mut r = Rectangle::new(
                        [
                            (0.0f64.max(min).min(*v), SegmentValue::Exact(row)),
                            (*v, SegmentValue::Exact(row + 1)),
                        ],
                        BLUE.mix(0.7).filled(),
                    );
                    r.set_margin(2, 2, 0, 0);
                    r
                }))
                .map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())
        }};
    }
    with_backend(path, 900, h, |root| draw!(root), |root| draw!(root))
}

/// A line chart of named series of `(x, y)` points.
pub fn line_chart(
    path: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> Result<()> {
    let pts = series.iter().flat_map(|s| s.1.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in pts {
        if x.is_finite() && y.is_finite() {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let pad = (y1 - y0) * 0.05;
    let palette = [
        BLUE,
        RED,
        GREEN,
        MAGENTA,
        CYAN,
        BLACK,
        RGBColor(255, 140, 0),
        RGBColor(128, 0, 128),
    ];
    macro_rules! draw {
        ($root:expr) => {{
            let root = $root;
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let mut chart = ChartBuilder::on(&root)
                .caption(title, ("sans-serif", 20))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .x_desc(x_desc)
                .y_desc(y_desc)
                .draw()
                .map_err(|e| e.to_string())?;
            for (i, (name, pts)) in series.iter().enumerate() {
                let color = palette[i % palette.len()];
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                    .map_err(|e| e.to_string())?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
            }
            if series.len() > 1 {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .draw()
                    .map_err(|e| e.to_string())?;
            }
            root.present().map_err(|e| e.to_string())
        }};
    }
    with_backend(path, 900, 600, |root| draw!(root), |root| draw!(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_and_png() {
        let d = tempfile::tempdir().unwrap();
        let bars = vec![("f1".to_string(), 0.5), ("f22".to_string(), 0.25)];
        let svg = d.path().join("r.svg");
        bar_chart(&svg, "ranking", "nats", &bars).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<svg") && text.contains("f22"));
        let png = d.path().join("r.png");
        bar_chart(&png, "ranking", "nats", &bars).unwrap();
        assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
        let curve = d.path().join("c.svg");
        line_chart(
            &curve,
            "t",
            "x",
            "y",
            &[("a".into(), vec![(0.0, 1.0), (1.0, 2.0)])],
        )
        .unwrap();
        assert!(bar_chart(&d.path().join("x.gif"), "t", "u", &bars).is_err());
        let leftovers = std::fs::read_dir(d.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains("tmp")
            })
            .count();
        assert_eq!(leftovers, 0, "no temporary files left behind");
    }
}
