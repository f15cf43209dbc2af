import Foundation
import Torch

/// `report.html` of a run: loss curves, the learning rate, metrics per evaluation, per-epoch
/// statistics (clusters, …) and a link to the latest evaluation report.
public struct TrainingReport {
    public let run: RunDirectory
    public let title: String

    public init(run: RunDirectory, title: String) {
        self.run = run
        self.title = title
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
        let losses = TrainingReport.series(log, "loss")
        if !losses.isEmpty {
            try LinePlot(title: "Training losses", xLabel: "epoch", yLabel: "mean loss", series: losses)
                .write(to: run.path + "/losses.png", scale: 2)
            figures.append(("losses.png", "Mean of each loss over the epoch's iterations."))
        }
        let metrics = TrainingReport.series(log, "metrics").filter { ["rank1", "mAP", "mINP"].contains($0.name) }
            .map { (name: $0.name, points: $0.points.map { (x: $0.x, y: $0.y * 100) }) }
        if !metrics.isEmpty {
            var plot = LinePlot(title: "Evaluation on query and gallery", xLabel: "epoch", yLabel: "%", series: metrics)
            plot.markers = true
            try plot.write(to: run.path + "/metrics.png", scale: 2)
            figures.append(("metrics.png", "Rank-1, mAP and mINP (Market-1501 protocol) at each evaluation."))
        }
        let stats = TrainingReport.series(log, "stats")
        if !stats.isEmpty {
            try LinePlot(title: "Per-epoch statistics", xLabel: "epoch", yLabel: "value", series: stats)
                .write(to: run.path + "/stats.png", scale: 2)
            figures.append(("stats.png", "Numbers the method logs each epoch (clusters, outliers, agreement, …)."))
        }
        let lr = log.compactMap { e -> (x: Double, y: Double)? in
            guard let epoch = e["epoch"] as? Int, let v = e["lr"] as? Double else { return nil }
            return (Double(epoch), v)
        }
        if !lr.isEmpty {
            try LinePlot(title: "Learning rate", xLabel: "epoch", yLabel: "lr", series: [("lr", lr)], width: 720, height: 260)
                .write(to: run.path + "/lr.png", scale: 2)
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
        let page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(HTML.escape(title))</title>
            <style>\(HTML.style)</style></head><body><main>
            <header><h1>\(HTML.escape(title))</h1><p>\(log.count) epoch(s) logged in log.jsonl; config in config.yaml.</p></header>
            <section><h2>Epochs</h2>\(evalLink)<div style="overflow-x:auto"><table>
            <tr><th>Epoch</th><th>Total loss</th><th>Rank-1</th><th>mAP</th><th>Images/s</th></tr>
            \(rows)</table></div></section>
            <section><h2>Curves</h2>\(figureHTML)</section>
            </main></body></html>
            """
        try AtomicWrite.write(Data(page.utf8), to: run.report)
    }
}
