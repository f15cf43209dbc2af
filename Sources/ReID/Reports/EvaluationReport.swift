import Foundation
import Torch

/// An evaluation written as a self-contained HTML page with its figures beside it:
/// `report.html` (metrics table, CMC curve, ranked lists), `cmc.png`, and one
/// `ranked-q<index>.png` per shown query. Every file is written atomically.
public struct EvaluationReport: Sendable {
    public var title: String
    public var metrics: RankingMetrics
    /// Row-major query × gallery distances (smaller is closer); the ranked lists use these.
    public var distances: [Float]
    public var query: [ImageRecord]
    public var gallery: [ImageRecord]
    public var rerankedMetrics: RankingMetrics?
    public var notes: [String]
    /// Gallery items per ranked list.
    public var rankedListLength = 10
    /// Pixels per CSS pixel in the PNGs (2 stays sharp on high-density screens).
    public var imageScale = 2
    public var renderer = RankedListRenderer()

    public static let fileName = "report.html"
    public static let cmcFileName = "cmc.png"

    public init(title: String, metrics: RankingMetrics, distances: [Float], query: [ImageRecord],
                gallery: [ImageRecord], rerankedMetrics: RankingMetrics? = nil, notes: [String] = []) {
        self.title = title
        self.metrics = metrics
        self.distances = distances
        self.query = query
        self.gallery = gallery
        self.rerankedMetrics = rerankedMetrics
        self.notes = notes
    }

    /// The ranked-list file of query `index`.
    public static func rankedFileName(queryIndex index: Int) -> String {
        "ranked-q" + String(format: "%04d", index) + ".png"
    }

    /// Writes the report into `folder` (created if needed) and returns the path of report.html.
    /// `rankedQueries` ranked lists are drawn for queries picked by `selection`.
    @discardableResult
    public func write(to folder: String, rankedQueries: Int = 10, selection: QuerySelection = .first) throws -> String {
        try RankedList.checkShape(distances: distances, query: query, gallery: gallery)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let dir = URL(fileURLWithPath: folder)

        try cmcPlot().write(to: dir.appendingPathComponent(Self.cmcFileName).path, scale: imageScale)

        var rendererAtScale = renderer
        rendererAtScale.scale = imageScale
        var figures: [(list: RankedList, file: String, width: Int, height: Int)] = []
        var unreadable: [String] = []
        for index in try RankedList.chooseQueries(rankedQueries, by: selection, distances: distances,
                                                  query: query, gallery: gallery) {
            let list = try RankedList(queryIndex: index, distances: distances, query: query, gallery: gallery,
                                      top: rankedListLength)
            let row = try rendererAtScale.render(list, query: query, gallery: gallery)
            let file = Self.rankedFileName(queryIndex: index)
            try row.image.write(to: dir.appendingPathComponent(file).path)
            unreadable += row.unreadable
            figures.append((list, file, row.image.width / imageScale, row.image.height / imageScale))
        }

        let path = dir.appendingPathComponent(Self.fileName).path
        let html = page(figures: figures, rankedQueries: rankedQueries, selection: selection, unreadable: unreadable)
        try AtomicWrite.write(Data(html.utf8), to: path)
        return path
    }

    /// CMC at ranks 1…50 (or fewer when the gallery is smaller), in percent.
    public func cmcPlot() -> LinePlot {
        func points(_ m: RankingMetrics) -> [(x: Double, y: Double)] {
            m.cmc.prefix(50).enumerated().map { (Double($0.offset + 1), $0.element * 100) }
        }
        var series = [(name: rerankedMetrics == nil ? "" : "original ranking", points: points(metrics))]
        if let rerankedMetrics { series.append((name: "re-ranked", points: points(rerankedMetrics))) }
        var plot = LinePlot(title: "CMC curve", xLabel: "Rank k", yLabel: "Matching rate (%)", series: series,
                            width: 720, height: 420)
        let maxRank = max(1, plot.series.map(\.points.count).max() ?? 1)
        let lowest = plot.series.compactMap { $0.points.first?.y }.min() ?? 0
        plot.xRange = 1...Double(max(2, maxRank))
        plot.xTicks = maxRank <= 10 ? (1...max(2, maxRank)).map(Double.init)
            : [1, 5, 10, 20, 30, 40, 50].filter { $0 <= Double(maxRank) }
        plot.yRange = max(0, ((lowest - 5) / 10).rounded(.down) * 10)...100
        plot.markers = false
        return plot
    }

    // MARK: - HTML

    private func metricsRow(_ name: String, _ m: RankingMetrics) -> String {
        let cells = [m.rank1, m.rank5, m.rank10, m.mAP, m.mINP].map { "<td>\(HTML.percent($0))</td>" }.joined()
        return "<tr><td>\(HTML.escape(name))</td>\(cells)<td>\(m.validQueries) / \(m.totalQueries)</td></tr>"
    }

    private func describe(_ selection: QuerySelection, _ count: Int) -> String {
        let n = min(count, query.count)
        switch selection {
        case .first: return "the first \(n) queries, in query order"
        case .seededSample(let seed): return "\(n) queries sampled with seed \(seed), in query order"
        case .worst: return "the \(n) queries with the lowest average precision, worst first"
        }
    }

    private func page(figures: [(list: RankedList, file: String, width: Int, height: Int)], rankedQueries: Int,
                      selection: QuerySelection, unreadable: [String]) -> String {
        let e = HTML.escape
        var h = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>
            \(HTML.style)
            </style>
            </head>
            <body>
            <main>
            <header>
            <h1>\(e(title))</h1>
            <p>\(query.count) queries against \(gallery.count) gallery images, Market-1501 protocol.</p>
            </header>

            """

        // Metrics.
        h += """
            <section>
            <h2>Metrics</h2>
            <div class="scroll"><table>
            <thead><tr><th>Ranking</th><th>Rank-1</th><th>Rank-5</th><th>Rank-10</th><th>mAP</th><th>mINP</th><th class="wrap">Valid / total queries</th></tr></thead>
            <tbody>
            \(metricsRow(rerankedMetrics == nil ? "Distances" : "Original ranking", metrics))

            """
        if let rerankedMetrics { h += metricsRow("Re-ranked", rerankedMetrics) + "\n" }
        h += """
            </tbody>
            </table></div>
            <dl class="definitions">
            <dt>Protocol.</dt><dd> For each query, gallery images of its identity from its own camera are left out, and a query with no true match left is not valid and not counted.</dd>
            <dt>Rank-k.</dt><dd> Percentage of valid queries whose first true match is among the k closest gallery images.</dd>
            <dt>mAP.</dt><dd> Mean over valid queries of the average precision: the mean, over a query’s true matches, of the precision at each match’s rank.</dd>
            <dt>mINP.</dt><dd> Mean over valid queries of (number of true matches) / (rank of the last true match).</dd>
            </dl>
            </section>

            """

        if !notes.isEmpty {
            h += "<section>\n<h2>Notes</h2>\n<ul class=\"notes\">\n"
            h += notes.map { "<li>\(e($0))</li>" }.joined(separator: "\n")
            h += "\n</ul>\n</section>\n\n"
        }

        // CMC curve.
        let plot = cmcPlot()
        let maxRank = plot.series.map(\.points.count).max() ?? 0
        let curves = rerankedMetrics == nil ? "" : " Blue: the original ranking; orange: after re-ranking."
        h += """
            <section>
            <h2>CMC curve</h2>
            <figure>
            <img src="\(Self.cmcFileName)" width="\(plot.width)" height="\(plot.height)" alt="CMC curve: matching rate against rank">
            <figcaption><b>Cumulative matching characteristic.</b> For each rank k from 1 to \(maxRank), the percentage of valid queries whose first true match is among the k closest gallery images.\(curves)</figcaption>
            </figure>
            </section>

            """

        // Ranked lists.
        if !figures.isEmpty {
            let source = rerankedMetrics == nil ? "" : " Lists follow the original ranking, before re-ranking."
            h += """
                <section>
                <h2>Ranked lists</h2>
                <p class="intro">Each row shows a query (blue frame) and its \(rankedListLength) closest gallery images, closest first, with rank and distance below each. Frames: <span class="key" style="background:#16a34a"></span>same identity as the query, <span class="key" style="background:#dc2626"></span>another identity. Gallery images of the query’s identity from its own camera are left out, as the evaluation leaves them out.\(source) Shown: \(e(describe(selection, rankedQueries))).</p>

                """
            for f in figures {
                let q = query[f.list.queryIndex]
                let hits = f.list.entries.filter { $0.isMatch == true }.count
                let ap = f.list.averagePrecision.map { "AP \(HTML.percent($0))" } ?? "no true match in the gallery"
                let top = f.list.entries.count
                let found = f.list.entries.firstIndex { $0.isMatch == true }.map {
                    "first true match at rank \($0 + 1); \(hits) of the top \(top) share its identity"
                } ?? "no true match in the top \(top)"
                let who = q.pid >= 0 ? "identity \(q.pid)" : "unknown identity"
                let cam = q.camera >= 0 ? ", camera index \(q.camera)" : ""
                h += """
                    <figure>
                    <div class="scroll"><img src="\(e(f.file))" width="\(f.width)" height="\(f.height)" alt="ranked list of query \(f.list.queryIndex)"></div>
                    <figcaption><b>Query \(f.list.queryIndex)</b> (<code>\(e(q.name))</code>, \(who)\(cam)): \(ap); \(found).</figcaption>
                    </figure>

                    """
            }
            if !unreadable.isEmpty {
                h += "<p class=\"definitions\">\(unreadable.count) image\(unreadable.count == 1 ? "" : "s") could not be read and "
                    + "\(unreadable.count == 1 ? "is" : "are") shown as grey tiles with a cross, first <code>\(e(unreadable[0]))</code>.</p>\n"
            }
            h += "</section>\n"
        }
        h += "</main>\n</body>\n</html>\n"
        return h
    }
}
