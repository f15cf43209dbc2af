/// Small helpers for writing self-contained HTML pages.
public enum HTML {
    /// Text made safe for element content and quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A fraction as a percentage with two decimals: 0.33161 → "33.16 %".
    static func percent(_ fraction: Double) -> String {
        fraction.isFinite ? String(format: "%.2f\u{202F}%%", fraction * 100) : "–"
    }

    /// The page style: system fonts, a narrow column, cards for sections.
    public static let style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f3f4f6; color: #1f2937;
          font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
        main { max-width: 980px; margin: 0 auto; padding: 32px 24px 56px; }
        header h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 6px; }
        header p { margin: 0; color: #6b7280; }
        section { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 20px 24px; margin-top: 24px; }
        section h2 { font-size: 1.2rem; margin: 0 0 12px; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { padding: 8px 12px; text-align: right; border-bottom: 1px solid #e5e7eb; }
        td, th { white-space: nowrap; }
        th.wrap { white-space: normal; }
        th { font-weight: 600; color: #374151; border-bottom: 2px solid #d1d5db; }
        th:first-child, td:first-child { text-align: left; }
        tbody tr:last-child td { border-bottom: none; }
        .definitions { font-size: 0.875rem; color: #6b7280; margin: 14px 0 0; }
        .definitions dt { font-weight: 600; color: #4b5563; display: inline; }
        .definitions dd { display: inline; margin: 0; }
        .definitions dd::after { content: ""; display: block; margin-bottom: 2px; }
        ul.notes { margin: 0; padding-left: 1.2em; }
        figure { margin: 0; }
        figure + figure { margin-top: 18px; padding-top: 18px; border-top: 1px solid #e5e7eb; }
        figure img { display: block; max-width: 100%; height: auto; }
        .scroll { overflow-x: auto; }
        figcaption { font-size: 0.9rem; color: #4b5563; margin-top: 6px; }
        figcaption b { color: #1f2937; }
        .key { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; vertical-align: -0.1em; margin: 0 4px 0 2px; }
        .intro { margin: 0 0 18px; color: #374151; }
        @media (max-width: 720px) {
          main { padding: 20px 10px 40px; }
          section { padding: 16px 14px; }
          th, td { padding: 6px 8px; }
        }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.85em; }
        """
}
