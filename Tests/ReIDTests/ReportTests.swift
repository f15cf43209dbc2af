import Foundation
import XCTest
@testable import ReID
@testable import Torch

final class ReportTests: XCTestCase {
    private var folders: [String] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
        folders = []
        super.tearDown()
    }

    private func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "reid-report-tests-\(UUID().uuidString)"
        folders.append(path)
        return path
    }

    private let white = Image.Color.white

    private func isWhite(_ image: Image, _ x: Int, _ y: Int) -> Bool { image.color(x: x, y: y) == white }

    // MARK: - drawing primitives

    func testRectanglesFillAndOutlineTheExpectedPixels() throws {
        var image = Image(height: 40, width: 60, fill: 255)
        try image.fillRectangle(x: 10, y: 5, width: 20, height: 10, color: .red)
        XCTAssertEqual(image.color(x: 10, y: 5), .red)
        XCTAssertEqual(image.color(x: 29, y: 14), .red, "the far corner is inside")
        XCTAssertTrue(isWhite(image, 30, 14) && isWhite(image, 29, 15) && isWhite(image, 9, 5) && isWhite(image, 10, 4))

        var outlined = Image(height: 40, width: 60, fill: 255)
        try outlined.strokeRectangle(x: 10, y: 5, width: 20, height: 10, color: .green, thickness: 1)
        XCTAssertEqual(outlined.color(x: 10, y: 5), .green)
        XCTAssertEqual(outlined.color(x: 29, y: 14), .green)
        XCTAssertEqual(outlined.color(x: 20, y: 5), .green)
        XCTAssertTrue(isWhite(outlined, 20, 10), "the inside of an outline stays")
        XCTAssertEqual(outlined.pixels.count, 40 * 60 * 3)
    }

    func testLinesCirclesAndPolylinesChangeTheExpectedPixels() throws {
        var image = Image(height: 40, width: 60, fill: 255)
        try image.drawLine(from: (0, 20), to: (59, 20), color: .black, thickness: 1, antialiased: false)
        XCTAssertEqual(image.color(x: 0, y: 20), .black)
        XCTAssertEqual(image.color(x: 30, y: 20), .black)
        XCTAssertTrue(isWhite(image, 30, 18) && isWhite(image, 30, 22))

        var circle = Image(height: 40, width: 60, fill: 255)
        try circle.drawCircle(center: (30, 20), radius: 6, color: .red, filled: true, antialiased: false)
        XCTAssertEqual(circle.color(x: 30, y: 20), .red)
        XCTAssertEqual(circle.color(x: 33, y: 20), .red)
        XCTAssertTrue(isWhite(circle, 30, 28) && isWhite(circle, 38, 20))
        var ring = Image(height: 40, width: 60, fill: 255)
        try ring.drawCircle(center: (30, 20), radius: 6, color: .red, thickness: 1, antialiased: false)
        XCTAssertEqual(ring.color(x: 36, y: 20), .red)
        XCTAssertTrue(isWhite(ring, 30, 20), "an outlined circle leaves its centre")

        var poly = Image(height: 40, width: 60, fill: 255)
        try poly.drawPolyline([(5, 5), (5, 30), (50, 30)], color: .black, thickness: 1, antialiased: false)
        XCTAssertEqual(poly.color(x: 5, y: 15), .black)
        XCTAssertEqual(poly.color(x: 30, y: 30), .black)
        XCTAssertTrue(isWhite(poly, 30, 15), "an open polyline does not join its ends")
        try poly.drawPolyline([(5, 5), (5, 30), (50, 30)], color: .red, thickness: 1, closed: true, antialiased: false)
        XCTAssertEqual(poly.color(x: 5, y: 15), .red)
        XCTAssertEqual(poly.color(x: 27, y: 17), .red, "a closed one joins (50,30) back to (5,5)")

        var smooth = Image(height: 40, width: 60, fill: 255)
        try smooth.drawLine(from: (2, 3), to: (57, 35), color: .black, thickness: 2)
        let greys = Set(smooth.pixels).subtracting([0, 255])
        XCTAssertFalse(greys.isEmpty, "anti-aliased lines blend their edges")

        var grey = Image(height: 10, width: 10, channels: 1, fill: 0)
        try grey.fillRectangle(x: 2, y: 2, width: 3, height: 3, color: Image.Color(grey: 200))
        XCTAssertEqual(grey.pixels[3 * 10 + 3], 200)
        XCTAssertEqual(grey.pixels[0], 0)
    }

    func testTextIsDrawnInsideItsMeasuredBox() throws {
        let size = try Image.textSize("Rank 10", scale: 0.6, thickness: 1)
        XCTAssertGreaterThan(size.width, try Image.textSize("Rank", scale: 0.6).width)
        XCTAssertGreaterThan(try Image.textSize("Rank 10", scale: 1.2).height, size.height)
        var image = Image(height: 60, width: 160, fill: 255)
        let (x, y) = (10, 40)
        try image.drawText("Rank 10", x: x, y: y, scale: 0.6, color: .black, thickness: 1)
        var inside = 0, outside = 0
        for py in 0..<image.height {
            for px in 0..<image.width where !isWhite(image, px, py) {
                let within = px >= x - 2 && px <= x + size.width + 2 && py >= y - size.height - 2 && py <= y + size.descent + 2
                if within { inside += 1 } else { outside += 1 }
            }
        }
        XCTAssertGreaterThan(inside, 50)
        XCTAssertEqual(outside, 0)
        // Non-ASCII characters become one "?" each instead of failing.
        XCTAssertEqual(try Image.textSize("é", scale: 1).width, try Image.textSize("?", scale: 1).width)
    }

    func testPasteClipsAndRotationTurnsCounterclockwise() throws {
        var image = Image(height: 10, width: 10, fill: 255)
        var blue = Image(height: 4, width: 4, fill: 0)
        try blue.fillRectangle(x: 0, y: 0, width: 4, height: 4, color: Image.Color(red: 0, green: 0, blue: 255))
        try image.paste(blue, x: 8, y: 7)
        XCTAssertEqual(image.color(x: 9, y: 9), Image.Color(red: 0, green: 0, blue: 255))
        XCTAssertEqual(image.color(x: 8, y: 7), Image.Color(red: 0, green: 0, blue: 255))
        XCTAssertTrue(isWhite(image, 7, 7) && isWhite(image, 8, 6))
        try image.paste(Image(height: 2, width: 2, channels: 1, fill: 9), x: -1, y: -1)
        XCTAssertEqual(image.color(x: 0, y: 0), Image.Color(grey: 9))
        XCTAssertTrue(isWhite(image, 1, 0))
        var grey = Image(height: 2, width: 2, channels: 1)
        XCTAssertThrowsError(try grey.paste(image, x: 0, y: 0), "RGB does not paste into grey")

        // 2 rows × 3 columns, values 0…5: the right column becomes the top row.
        let small = Image(height: 2, width: 3, channels: 1, pixels: [0, 1, 2, 3, 4, 5])
        let turned = small.rotatedCounterclockwise()
        XCTAssertEqual([turned.height, turned.width], [3, 2])
        XCTAssertEqual(turned.pixels, [2, 5, 1, 4, 0, 3])
    }

    // MARK: - plots

    func testLinePlotWritesAPNGOfTheRequestedSize() throws {
        let folder = temporaryFolder()
        let epochs = (1...20).map(Double.init)
        var plot = LinePlot(title: "Loss per epoch", xLabel: "Epoch", yLabel: "Loss",
                            series: [("train", epochs.map { ($0, 3 / $0) }), ("val", epochs.map { ($0, 3.5 / $0 + 0.2) })],
                            width: 400, height: 260)
        let path = folder + "/loss.png"
        try plot.write(to: path)
        let decoded = try Image(contentsOf: path)
        XCTAssertEqual([decoded.height, decoded.width], [260, 400])
        XCTAssertTrue(decoded.pixels.contains { $0 != 255 })
        let colors = Set((0..<decoded.height).flatMap { y in (0..<decoded.width).map { decoded.color(x: $0, y: y) } })
        XCTAssertTrue(colors.contains(LinePlot.palette[0]) && colors.contains(LinePlot.palette[1]), "both series are drawn")

        let sharp = try plot.render(scale: 2)
        XCTAssertEqual([sharp.height, sharp.width], [520, 800])
        // A NaN breaks a line instead of failing; a fixed range clips what lies outside.
        plot.series[0].points[5].y = .nan
        plot.yRange = 0...1
        XCTAssertNoThrow(try plot.render())
        XCTAssertThrowsError(try LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [], width: 50, height: 50).render())
    }

    func testAxisTicksAreRoundNumbers() {
        let axis = PlotAxis(values: [0.013, 0.87], fixed: nil, ticks: nil)
        XCTAssertEqual(axis.lower, 0)
        XCTAssertEqual(axis.upper, 1, accuracy: 1e-12)
        XCTAssertEqual(axis.ticks.map(axis.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let ranks = PlotAxis(values: [], fixed: 1...50, ticks: [1, 5, 10, 20, 30, 40, 50, 60])
        XCTAssertEqual(ranks.ticks, [1, 5, 10, 20, 30, 40, 50])
        XCTAssertEqual(ranks.label(5), "5")
        let flat = PlotAxis(values: [2, 2], fixed: nil, ticks: nil)
        XCTAssertLessThan(flat.lower, 2)
        XCTAssertGreaterThan(flat.upper, 2)
    }

    // MARK: - ranked lists

    /// Query 0 (id 1, camera 0) and query 1 (id 2, camera 1) against a gallery of five.
    private func tinySet() -> (query: [ImageRecord], gallery: [ImageRecord], distances: [Float]) {
        let query = [ImageRecord(path: "q0.png", pid: 1, camera: 0), ImageRecord(path: "q1.png", pid: 2, camera: 1)]
        let gallery = [
            ImageRecord(path: "g0.png", pid: 1, camera: 0),  // same id, same camera: left out for query 0
            ImageRecord(path: "g1.png", pid: 2, camera: 1),
            ImageRecord(path: "g2.png", pid: 1, camera: 1),
            ImageRecord(path: "g3.png", pid: 3, camera: 0),
            ImageRecord(path: "g4.png", pid: 2, camera: 0),
        ]
        let distances: [Float] = [
            0.0, 0.1, 0.2, 0.3, 0.4,  // query 0: g1 (miss), g2 (hit), g3, g4
            0.5, 0.4, 0.3, 0.2, 0.1,  // query 1: g4 (hit), g3, g2, g1 is junk, g0
        ]
        return (query, gallery, distances)
    }

    /// A crop of one flat colour per identity, drawn here (never real images).
    private func syntheticCrop(_ record: ImageRecord) throws -> Image {
        var crop = Image(height: 48, width: 24, fill: 230)
        let shade = UInt8(40 * max(0, record.pid))
        try crop.fillRectangle(x: 4, y: 6, width: 16, height: 36, color: Image.Color(red: shade, green: 90, blue: 255 - shade))
        try crop.drawCircle(center: (12, 6), radius: 4, color: Image.Color(hex: 0xE0B090), filled: true)
        return crop
    }

    func testRankedListsLeaveOutSameCameraMatchesAndFrameByIdentity() throws {
        let (query, gallery, distances) = tinySet()
        let list = try RankedList(queryIndex: 0, distances: distances, query: query, gallery: gallery, top: 10)
        XCTAssertEqual(list.entries.map(\.galleryIndex), [1, 2, 3, 4])
        XCTAssertEqual(list.entries.map(\.isMatch), [false, true, false, false])
        XCTAssertEqual(list.averagePrecision!, 0.5, accuracy: 1e-12)
        let second = try RankedList(queryIndex: 1, distances: distances, query: query, gallery: gallery, top: 3)
        XCTAssertEqual(second.entries.map(\.galleryIndex), [4, 3, 2])

        let renderer = RankedListRenderer(cropHeight: 64, cropWidth: 32, border: 3, scale: 1)
        let row = try renderer.render(list, query: query, gallery: gallery, load: syntheticCrop)
        XCTAssertTrue(row.unreadable.isEmpty)
        XCTAssertEqual(row.tiles.count, 1 + list.entries.count)
        XCTAssertEqual(row.tiles[0].width, 32 + 6)
        XCTAssertEqual(row.tiles[0].height, 64 + 6)
        XCTAssertEqual(row.image.color(x: row.tiles[0].x + 1, y: row.tiles[0].y + 1), RankedListRenderer.queryColor)
        for (entry, tile) in zip(list.entries, row.tiles.dropFirst()) {
            let expected = entry.isMatch! ? RankedListRenderer.matchColor : RankedListRenderer.mismatchColor
            XCTAssertEqual(row.image.color(x: tile.x + 1, y: tile.y + tile.height / 2), expected, "frame of gallery \(entry.galleryIndex)")
            XCTAssertEqual(row.image.color(x: tile.x + tile.width - 2, y: tile.y + 1), expected)
            // The crop itself sits inside the frame.
            XCTAssertEqual(row.image.color(x: tile.x + 3, y: tile.y + 3), Image.Color(grey: 230))
        }
        // Text (rank and distance) is written below the tiles.
        let below = row.tiles[1].y + row.tiles[1].height + 2
        let written = (below..<row.image.height).contains { y in
            (row.tiles[1].x..<(row.tiles[1].x + row.tiles[1].width)).contains { !isWhite(row.image, $0, y) }
        }
        XCTAssertTrue(written)

        // Unknown identity: grey frames; unreadable files: grey tiles, reported.
        var unlabeled = query
        unlabeled[0].pid = -1
        let unknown = try RankedList(queryIndex: 0, distances: distances, query: unlabeled, gallery: gallery, top: 2)
        XCTAssertEqual(unknown.entries.map(\.isMatch), [nil, nil])
        XCTAssertNil(unknown.averagePrecision)
        let missing = try renderer.render(unknown, query: unlabeled, gallery: gallery)
        XCTAssertEqual(missing.unreadable, ["q0.png", "g0.png", "g1.png"])
        XCTAssertEqual(missing.image.color(x: missing.tiles[1].x, y: missing.tiles[1].y), RankedListRenderer.unknownColor)
    }

    func testQuerySelectionIsDeterministic() throws {
        // Ten queries of ids 0…9 against ten gallery items of the same ids from another camera.
        // Query i's match lies at distance i % 5 + 0.5, other items at |i - j| + 1, so the
        // lowest APs are query 4 (rank 7), query 3 (rank 5), then 8 and 9 (rank 4, query order).
        let q = 10
        let query = (0..<q).map { ImageRecord(path: "q\($0)", pid: $0, camera: 0) }
        let gallery = (0..<q).map { ImageRecord(path: "g\($0)", pid: $0, camera: 1) }
        var distances = [Float](repeating: 1, count: q * q)
        for i in 0..<q {
            for j in 0..<q { distances[i * q + j] = Float(abs(j - i) + 1) }
            distances[i * q + i] = Float(i % 5) + 0.5
        }
        let first = try RankedList.chooseQueries(3, by: .first, distances: distances, query: query, gallery: gallery)
        XCTAssertEqual(first, [0, 1, 2])
        let worst = try RankedList.chooseQueries(3, by: .worst, distances: distances, query: query, gallery: gallery)
        XCTAssertEqual(worst, [4, 3, 8])
        let sample = try RankedList.chooseQueries(4, by: .seededSample(seed: 7), distances: distances, query: query, gallery: gallery)
        XCTAssertEqual(sample, try RankedList.chooseQueries(4, by: .seededSample(seed: 7), distances: distances, query: query, gallery: gallery))
        XCTAssertEqual(sample, sample.sorted())
        XCTAssertEqual(Set(sample).count, 4)
        XCTAssertEqual(try RankedList.chooseQueries(50, by: .first, distances: distances, query: query, gallery: gallery).count, q)
        // AP per query agrees with the evaluation's mAP.
        let labels = try EvaluationLabels(queryPids: query.map(\.pid), galleryPids: gallery.map(\.pid),
                                          queryCams: query.map(\.camera), galleryCams: gallery.map(\.camera))
        let metrics = try RankingMetrics.evaluate(distances: distances, labels: labels)
        let aps = try (0..<q).map { try RankedList(queryIndex: $0, distances: distances, query: query, gallery: gallery).averagePrecision! }
        XCTAssertEqual(aps.reduce(0, +) / Double(q), metrics.mAP, accuracy: 1e-12)
    }

    // MARK: - the report

    func testReportWritesPageAndFiguresAndEscapesTheTitle() throws {
        let (query, gallery, distances) = tinySet()
        // Real files, drawn here, so the renderer reads them as it reads a dataset.
        let images = temporaryFolder()
        let placed = try (query + gallery).map { record -> ImageRecord in
            var r = record
            r.path = images + "/" + record.path
            try syntheticCrop(record).write(to: r.path)
            return r
        }
        let q = Array(placed.prefix(query.count)), g = Array(placed.dropFirst(query.count))
        let labels = try EvaluationLabels(queryPids: q.map(\.pid), galleryPids: g.map(\.pid),
                                          queryCams: q.map(\.camera), galleryCams: g.map(\.camera))
        let metrics = try RankingMetrics.evaluate(distances: distances, labels: labels)
        var reranked = metrics
        reranked.mAP = 0.123456
        let report = EvaluationReport(title: "Tiny <&> test", metrics: metrics, distances: distances, query: q, gallery: g,
                                      rerankedMetrics: reranked, notes: ["model: <synthetic> & tiny"])
        let folder = temporaryFolder() + "/nested/report"
        let path = try report.write(to: folder, rankedQueries: 5)
        XCTAssertEqual(path, folder + "/report.html")

        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(files, ["cmc.png", "ranked-q0000.png", "ranked-q0001.png", "report.html"], "no temporary files left")
        let cmc = try Image(contentsOf: folder + "/cmc.png")
        XCTAssertEqual([cmc.width, cmc.height], [720 * report.imageScale, 420 * report.imageScale])
        let ranked = try Image(contentsOf: folder + "/ranked-q0000.png")
        XCTAssertEqual(ranked.height, try RankedListRenderer(scale: report.imageScale)
            .render(RankedList(queryIndex: 0, distances: distances, query: q, gallery: g), query: q, gallery: g).image.height)

        let html = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(html.contains("<title>Tiny &lt;&amp;&gt; test</title>"))
        XCTAssertTrue(html.contains("<h1>Tiny &lt;&amp;&gt; test</h1>"))
        XCTAssertFalse(html.contains("Tiny <&>"))
        XCTAssertTrue(html.contains("model: &lt;synthetic&gt; &amp; tiny"))
        for value in [metrics.rank1, metrics.rank5, metrics.rank10, metrics.mAP, metrics.mINP] {
            XCTAssertTrue(html.contains(HTML.percent(value)), "\(HTML.percent(value)) in the table")
        }
        XCTAssertTrue(html.contains("<td>Re-ranked</td>"))
        XCTAssertTrue(html.contains("12.35\u{202F}%"), "re-ranked mAP with two decimals")
        XCTAssertTrue(html.contains("\(metrics.validQueries) / \(metrics.totalQueries)"))
        XCTAssertTrue(html.contains("src=\"cmc.png\"") && html.contains("src=\"ranked-q0001.png\""))
        XCTAssertEqual(html.components(separatedBy: "<figcaption>").count - 1, 3, "a caption for each figure")
        XCTAssertEqual(HTML.escape("a\"b'c"), "a&quot;b&#39;c")

        XCTAssertThrowsError(try EvaluationReport(title: "bad", metrics: metrics, distances: [0], query: q, gallery: g)
            .write(to: temporaryFolder()))
    }
}

/// A training report a person can read: scores apart from counts, whole-number epochs, and
/// losses as they weigh in the total.
final class TrainingReportChartTests: XCTestCase {
    func testScoresAndCountsAreChartedApartOnWholeEpochs() throws {
        let folder = NSTemporaryDirectory() + "reid-report-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log: [[String: Any]] = (1...23).map { e in
            ["epoch": e, "loss": ["center": 300.0, "id": 2.0, "total": 3.5] as [String: Any],
             "stats": ["clusters": 500.0 + Double(e), "outliers": 40.0, "ari": 0.5, "cluster_seconds": 1.2] as [String: Any]]
        }
        var config = TrainingConfig()
        config.method = "uda"
        let weights = TrainingReport.lossWeights(config)
        XCTAssertEqual(weights["center"], 0.005)
        try TrainingReport(run: RunDirectory(folder), title: "t", lossWeights: weights).write(log: log)
        for file in ["losses.png", "stats.png", "scores.png", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + file), file)
        }
        XCTAssertEqual(TrainingReport.epochTicks(log), [0, 3, 6, 9, 12, 15, 18, 21])
        let page = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        XCTAssertTrue(page.contains("times its weight in the total"), page)
        config.method = "cluster-contrast"
        XCTAssertTrue(TrainingReport.lossWeights(config).isEmpty, "ClusterNCE is logged as it enters the total")
    }
}
