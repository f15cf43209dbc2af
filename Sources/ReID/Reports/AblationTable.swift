import Foundation
import Torch

/// The ablation table: `ablation.md`, `ablation.json` and `index.html` (linking each run's report).
/// Differences are in percentage points against the plan's reference variant (the first by default).
/// When the runs have seeds (`reid ablation --seeds`), each variant is one line of mean ± std over
/// its seeds, with a verdict (see `AblationSeedSummary`), and every run is still listed in the JSON.
public struct AblationTable {
    public let plan: AblationPlan
    public let rows: [AblationRow]

    public init(plan: AblationPlan, rows: [AblationRow]) {
        self.plan = plan
        self.rows = rows
    }

    var referenceName: String? { plan.reference.isEmpty ? plan.variants.first?.name : plan.reference }

    var reference: AblationRow? { rows.first { $0.name == referenceName } }

    /// Whether the runs were made per seed.
    public var seeded: Bool { rows.contains { $0.seed != nil } }

    /// Per-variant mean ± std (seeded ablations).
    public var summaries: [AblationSeedSummary] { AblationSeedSummary.of(rows, names: plan.variants.map(\.name)) }

    var referenceSummary: AblationSeedSummary? { summaries.first { $0.name == referenceName } }

    static func spread(_ s: AblationSeedSummary.Spread) -> String {
        s.std.isFinite ? String(format: "%.1f ± %.1f", s.mean * 100, s.std * 100) : pct(s.mean)
    }

    static func pct(_ v: Double) -> String { v.isFinite ? String(format: "%.1f", v * 100) : "–" }
    static func delta(_ v: Double, _ r: Double?) -> String {
        guard let r, v.isFinite, r.isFinite else { return "" }
        return String(format: "%+.1f", (v - r) * 100)
    }

    public var markdown: String { seeded ? seededMarkdown : plainMarkdown }

    var seededMarkdown: String {
        let ref = referenceSummary
        var s = "| variant | seeds | R1 | mAP | lowest mAP | ΔmAP | runs above reference mean | verdict | wall (min, mean) |\n"
            + "|---|---|---:|---:|---:|---:|---:|---|---:|\n"
        for v in summaries {
            let d = ref.map { String(format: "%+.1f", v.mAPDifference(from: $0) * 100) } ?? ""
            let above = ref.map { "\(v.runsAbove($0)) of \(v.mAP.values.count)" } ?? ""
            s += "| \(v.name) | \(v.seeds.map(String.init).joined(separator: ",")) | \(Self.spread(v.rank1)) | \(Self.spread(v.mAP)) | "
                + "\(Self.pct(v.mAP.min)) | \(d) | \(above) | \(ref.map { v.verdict(against: $0) } ?? "") | "
                + "\(String(format: "%.1f", v.seconds.mean / 60)) |\n"
        }
        return s + "\nMetrics in % at the last epoch, mean ± sample std over seeds; Δ in points against the mean of "
            + "\(ref?.name ?? "the reference"). A difference no larger than the spread (the larger std) is \"no effect\".\n"
    }

    var plainMarkdown: String {
        var s = "| variant | R1 | R5 | R10 | mAP | ΔR1 | ΔmAP | wall (min) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in rows {
            s += "| \(r.name) | \(Self.pct(r.rank1)) | \(Self.pct(r.rank5)) | \(Self.pct(r.rank10)) | \(Self.pct(r.mAP)) | "
                + "\(Self.delta(r.rank1, reference?.rank1)) | \(Self.delta(r.mAP, reference?.mAP)) | \(String(format: "%.1f", r.seconds / 60)) |\n"
        }
        return s + "\nMetrics in % at the last epoch; Δ in points against \(reference?.name ?? "the reference").\n"
    }

    public var json: [String: Any] {
        var out: [String: Any] = [
            "base": plan.base, "data": plan.data, "set": plan.set, "reference": referenceName ?? "",
            "rows": rows.map { r -> [String: Any] in
                var row: [String: Any] = ["name": r.name, "run": r.run, "rank1": r.rank1, "rank5": r.rank5, "rank10": r.rank10,
                                          "mAP": r.mAP, "seconds": r.seconds, "epochs": r.epochs]
                if let seed = r.seed { row["seed"] = Int(seed) }
                if let views = try? JSONSerialization.jsonObject(with: Data(r.views.utf8)) { row["views"] = views }
                return row
            },
        ]
        if seeded {
            let ref = referenceSummary
            out["variants"] = summaries.map { $0.json(reference: ref) }
        }
        return out
    }

    public func write(to folder: String) throws {
        try AtomicText.write(markdown, to: folder + "/ablation.md")
        try AtomicWrite.write(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted]),
                              to: folder + "/ablation.json")
        var body = seeded ? seededHTML(folder: folder) : ""
        body += "<table><tr><th style='text-align:left'>variant</th><th>R1</th><th>R5</th><th>R10</th><th>mAP</th><th>ΔR1</th><th>ΔmAP</th><th>wall (min)</th><th style='text-align:left'>views</th></tr>"
        for r in rows {
            let rel = r.run.hasPrefix(folder + "/") ? String(r.run.dropFirst(folder.count + 1)) : r.run
            let views = (try? JSONSerialization.jsonObject(with: Data(r.views.utf8)) as? [String: Any])?["summary"] as? String ?? "none"
            body += "<tr><td style='text-align:left'><a href='\(HTML.escape(rel))/report.html'>\(HTML.escape(r.name + (r.seed.map { " (seed \($0))" } ?? "")))</a></td>"
                + "<td>\(Self.pct(r.rank1))</td><td>\(Self.pct(r.rank5))</td><td>\(Self.pct(r.rank10))</td><td>\(Self.pct(r.mAP))</td>"
                + "<td>\(Self.delta(r.rank1, reference?.rank1))</td><td>\(Self.delta(r.mAP, reference?.mAP))</td>"
                + "<td>\(String(format: "%.1f", r.seconds / 60))</td><td style='text-align:left;white-space:normal'>\(HTML.escape(views))</td></tr>"
        }
        body += "</table>"
        let settings = HTML.escape(([plan.base] + plan.set).joined(separator: " · "))
        let page = """
            <!doctype html><html><head><meta charset="utf-8"><title>Ablation</title><style>\(HTML.style)</style></head>
            <body><main><header><h1>Ablation: \(rows.count) of \(plan.variants.count) variants</h1>
            <p>\(settings)</p></header>
            <section><h2>Results (last epoch, %)</h2>\(body)
            <p>Δ in points against \(HTML.escape(reference?.name ?? "the reference")). Each name links to its run's report.</p></section>
            </main></body></html>
            """
        try AtomicText.write(page, to: folder + "/index.html")
    }

    /// Mean ± std per variant, above the per-run table.
    func seededHTML(folder: String) -> String {
        let ref = referenceSummary
        var body = "<table><tr><th style='text-align:left'>variant</th><th>seeds</th><th>R1</th><th>mAP</th><th>lowest mAP</th>"
            + "<th>ΔmAP</th><th>verdict</th><th>wall (min)</th></tr>"
        for v in summaries {
            body += "<tr><td style='text-align:left'>\(HTML.escape(v.name))</td><td>\(v.seeds.map(String.init).joined(separator: ","))</td>"
                + "<td>\(Self.spread(v.rank1))</td><td>\(Self.spread(v.mAP))</td><td>\(Self.pct(v.mAP.min))</td>"
                + "<td>\(ref.map { String(format: "%+.1f", v.mAPDifference(from: $0) * 100) } ?? "")</td>"
                + "<td>\(HTML.escape(ref.map { v.verdict(against: $0) } ?? ""))</td><td>\(String(format: "%.1f", v.seconds.mean / 60))</td></tr>"
        }
        return body + "</table><p>Mean ± sample std over seeds; a difference no larger than the spread is \"no effect\". Every run below.</p>"
    }
}
