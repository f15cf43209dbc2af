import Foundation
import Torch

/// `report.html` of a run: loss curves, the learning rate, metrics per evaluation, per-epoch
/// statistics (clusters, …) and a link to the latest evaluation report.
public struct TrainingReport {
    public let run: RunDirectory
    public let title: String
    /// Each logged loss term's weight in the total, where known: the chart shows what each term
    /// adds to the total (a raw center loss of 300 at weight 0.005 adds 1.5, not 300).
    public let lossWeights: [String: Double]

    public init(run: RunDirectory, title: String, lossWeights: [String: Double] = [:]) {
        self.run = run
        self.title = title
        self.lossWeights = lossWeights
    }

    /// The loss weights of the methods whose terms are logged unweighted (BoT's id, triplet and
    /// center terms: supervised and uda).
    public static func lossWeights(_ config: TrainingConfig) -> [String: Double] {
        guard ["supervised", "uda"].contains(config.method) else { return [:] }
        return ["id": config.loss.crossEntropyWeight, "triplet": config.loss.tripletWeight, "center": config.loss.centerWeight]
    }

    /// Statistics that are scores between 0 and 1; the others (clusters, outliers, …) are counts.
    static let scoreStatistics: Set<String> = ["ari", "nmi", "purity", "agreement", "w_original", "w_masked"]

    /// Whole-number epoch ticks, about ten of them.
    static func epochTicks(_ log: [[String: Any]]) -> [Double]? {
        let last = log.compactMap { $0["epoch"] as? Int }.max() ?? 0
        guard last > 0 else { return nil }
        let step = max(1, Int((Double(last) / 10).rounded(.up)))
        return stride(from: 0, through: last, by: step).map(Double.init)
    }

    static func series(_ log: [[String: Any]], _ section: String) -> [(name: String, points: [(x: Double, y: Double)])] {
        var names = Set<String>()
        for entry in log { (entry[section] as? [String: Any])?.keys.forEach { names.insert($0) } }
        return names.sorted().map { name in
            (name, log.compactMap { entry -> (x: Double, y: Double)? in
                guard let epoch = entry["epoch"] as? Int, let v = (entry[section] as? [String: Any])?[name] as? Double else {
                    return nil
                }
                return (Double(epoch), v)
            })
        }
    }

    public func write(log: [[String: Any]]) throws {
        var figures: [(file: String, caption: String)] = []
        let ticks = TrainingReport.epochTicks(log)
        func plot(_ title: String, _ yLabel: String, _ series: [(name: String, points: [(x: Double, y: Double)])],
                  markers: Bool? = nil, height: Int = 420) -> LinePlot {
            var p = LinePlot(title: title, xLabel: "epoch", yLabel: yLabel, series: series, height: height)
            p.xTicks = ticks
            p.markers = markers
            return p
        }
        let losses = TrainingReport.series(log, "loss").map { term in
            (name: lossWeights[term.name].map { "\(term.name) x\($0)" } ?? term.name,
             points: term.points.map { (x: $0.x, y: $0.y * (lossWeights[term.name] ?? 1)) })
        }
        if !losses.isEmpty {
            try plot("Training losses", lossWeights.isEmpty ? "mean loss" : "mean loss, as weighted in the total", losses)
                .write(to: run.path + "/losses.png", scale: 2)
            figures.append(("losses.png", lossWeights.isEmpty
                ? "Mean of each loss over the epoch's iterations."
                : "Mean of each loss term over the epoch's iterations, times its weight in the total (x weight in the legend)."))
        }
        let metrics = TrainingReport.series(log, "metrics").filter { ["rank1", "mAP", "mINP"].contains($0.name) }
            .map { (name: $0.name, points: $0.points.map { (x: $0.x, y: $0.y * 100) }) }
        if !metrics.isEmpty {
            try plot("Evaluation on query and gallery", "%", metrics, markers: true).write(to: run.path + "/metrics.png", scale: 2)
            figures.append(("metrics.png", "Rank-1, mAP and mINP (Market-1501 protocol) at each evaluation."))
        }
        // Counts (hundreds) and scores (0–1) on one axis would flatten the scores: two charts.
        let stats = TrainingReport.series(log, "stats").filter { !$0.name.hasSuffix("seconds") }
        let counts = stats.filter { !Self.scoreStatistics.contains($0.name) }
        let scores = stats.filter { Self.scoreStatistics.contains($0.name) }
        if !counts.isEmpty {
            try plot("Pseudo-labels per epoch", "count", counts).write(to: run.path + "/stats.png", scale: 2)
            figures.append(("stats.png", "Counts the method logs each epoch (clusters, outliers, …)."))
        }
        if !scores.isEmpty {
            var p = plot("Cluster quality per epoch", "score (0-1)", scores)
            p.yRange = 0...1
            try p.write(to: run.path + "/scores.png", scale: 2)
            figures.append(("scores.png", "Scores between 0 and 1: ARI, NMI and purity of the clusters against the hidden ids "
                            + "when the data has them; PPLR's cross agreement."))
        }
        let lr = log.compactMap { e -> (x: Double, y: Double)? in
            guard let epoch = e["epoch"] as? Int, let v = e["lr"] as? Double else { return nil }
            return (Double(epoch), v)
        }
        if !lr.isEmpty {
            var p = plot("Learning rate", "lr", [("lr", lr)], height: 260)
            p.width = 720
            try p.write(to: run.path + "/lr.png", scale: 2)
            figures.append(("lr.png", "Learning rate of the main optimiser at the start of each epoch."))
        }
        var rows = ""
        for entry in log {
            let epoch = entry["epoch"] as? Int ?? 0
            let loss = (entry["loss"] as? [String: Any])?["total"] as? Double
            let m = entry["metrics"] as? [String: Any]
            func cell(_ v: Double?, percent: Bool = false) -> String {
                guard let v else { return "<td>–</td>" }
                return percent ? String(format: "<td>%.2f %%</td>", v * 100) : String(format: "<td>%.4f</td>", v)
            }
            rows += "<tr><td>\(epoch)</td>" + cell(loss) + cell(m?["rank1"] as? Double, percent: true)
                + cell(m?["mAP"] as? Double, percent: true)
                + ((entry["images_per_second"] as? Double).map { String(format: "<td>%.1f</td></tr>\n", $0) }
                    ?? "<td>–</td></tr>\n")
        }
        let figureHTML = figures.map {
            "<figure><img src=\"\($0.file)\" alt=\"\(HTML.escape($0.caption))\" style=\"max-width:100%\"><figcaption>\(HTML.escape($0.caption))</figcaption></figure>"
        }.joined(separator: "\n")
        let evalLink = FileManager.default.fileExists(atPath: run.evaluation + "/report.html")
            ? "<p><a href=\"eval/report.html\">Latest evaluation report</a> (metrics, CMC curve, ranked lists).</p>" : ""
        // Runs with generated views say which views, strategy and mask source they used.
        let views = (FileManager.default.contents(atPath: run.path + "/views.json"))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }?["summary"] as? String
        let viewsLine = views.map { "<p>\(HTML.escape($0)) (views.json)</p>" } ?? ""
        let page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(HTML.escape(title))</title>
            <style>\(HTML.style)</style></head><body><main>
            <header><h1>\(HTML.escape(title))</h1><p>\(log.count) epoch(s) logged in log.jsonl; config in config.yaml.</p>\(viewsLine)</header>
            <section><h2>Epochs</h2>\(evalLink)<div style="overflow-x:auto"><table>
            <tr><th>Epoch</th><th>Total loss</th><th>Rank-1</th><th>mAP</th><th>Images/s</th></tr>
            \(rows)</table></div></section>
            <section><h2>Curves</h2>\(figureHTML)</section>
            </main></body></html>
            """
        try AtomicWrite.write(Data(page.utf8), to: run.report)
    }
}
