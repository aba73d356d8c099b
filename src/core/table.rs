//! Plain-text tables for people: columns padded to their widest cell.
//!
//! Pure; scripts use `--json` instead of parsing these.

use console::measure_text_width;

/// Renders rows under a header, two spaces between columns, no trailing spaces.
pub fn render<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(measure_text_width);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(measure_text_width(cell));
        }
    }
    let line = |cells: [&str; N]| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            text.push_str(cell);
            if index + 1 < N {
                text.push_str(&" ".repeat(width - measure_text_width(cell) + 2));
            }
        }
        text.trim_end().to_owned()
    };
    std::iter::once(line(header))
        .chain(
            rows.iter()
                .map(|row| line(row.each_ref().map(String::as_str))),
        )
        .collect::<Vec<_>>()
        .join("\n")
}

/// `key  value` lines, keys padded to the widest.
pub fn key_values(rows: &[[String; 2]]) -> String {
    let text = render(["", ""], rows);
    text.split_once('\n')
        .map_or(String::new(), |(_, body)| body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_columns() {
        let rows = [
            ["/a/long/path".to_owned(), "1972".to_owned(), "".to_owned()],
            ["/b".to_owned(), "12000".to_owned(), "x".to_owned()],
        ];
        insta::assert_snapshot!(render(["PROJECT", "PORT", "NOTE"], &rows), @r"
        PROJECT       PORT   NOTE
        /a/long/path  1972
        /b            12000  x
        ");
    }
}
