import Foundation
import XCTest
@testable import ReID
@testable import Torch

/// The ablation runner: same base, one folder per variant, one table, finished variants skipped.
final class AblationTests: XCTestCase {
    func testTwoVariantsGiveATableAndARerunSkipsThem() throws {
        let folder = NSTemporaryDirectory() + "reid-ablation-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let planPath = folder + "/plan.yaml"
        try """
            base: base.yaml
            data: \(ViewTrainingTests.dataset)
            set: [model.backbone=osnet_x0_25, model.parts=3, data.height=64, data.width=32, data.identitiesPerBatch=4,
                  training.epochs=1, training.itersPerEpoch=1, training.evalEvery=0, pplr.k=5, clustering.k1=8,
                  clustering.k2=2, clustering.minSamples=2, clustering.eps=0.7, evaluation.rankedQueries=1]
            variants:
              - name: baseline
              - name: inject (1 view)
                set: [views.method=inject]
            """.write(toFile: planPath, atomically: true, encoding: .utf8)
        try "method: pplr\nloss:\n  centerWeight: 0\n".write(toFile: folder + "/base.yaml", atomically: true, encoding: .utf8)
        let plan = try AblationPlan.load(planPath)
        XCTAssertEqual(plan.base, folder + "/base.yaml", "base resolved next to the plan")
        XCTAssertEqual(AblationPlan.slug("inject (1 view)"), "inject-1-view")
        var runner = AblationRunner(plan: plan, out: folder + "/out")
        runner.verbose = false
        let rows = try runner.run()
        XCTAssertEqual(rows.map(\.name), ["baseline", "inject (1 view)"])
        XCTAssertTrue(rows.allSatisfy { $0.mAP.isFinite && $0.seconds > 0 && $0.epochs == 1 })
        XCTAssertTrue(rows[0].views.isEmpty)
        XCTAssertTrue(rows[1].views.contains("inject"))
        let md = try String(contentsOfFile: folder + "/out/ablation.md", encoding: .utf8)
        XCTAssertTrue(md.contains("| inject (1 view) |"), md)
        let html = try String(contentsOfFile: folder + "/out/index.html", encoding: .utf8)
        XCTAssertTrue(html.contains("href='inject-1-view/report.html'"), html)
        // A second run reads the finished results instead of training again.
        let again = try runner.run()
        XCTAssertEqual(again.map(\.seconds), rows.map(\.seconds))
    }

    func testSeededAblationRunsEachVariantPerSeedAndSummarises() throws {
        let folder = NSTemporaryDirectory() + "reid-ablation-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "method: pplr\nloss:\n  centerWeight: 0\n".write(toFile: folder + "/base.yaml", atomically: true, encoding: .utf8)
        let plan = AblationPlan(base: folder + "/base.yaml", data: ViewTrainingTests.dataset, out: "",
                                set: ["model.backbone=osnet_x0_25", "model.parts=3", "data.height=64", "data.width=32",
                                      "data.identitiesPerBatch=4", "training.epochs=1", "training.itersPerEpoch=1",
                                      "training.evalEvery=0", "pplr.k=5", "clustering.k1=8", "clustering.k2=2",
                                      "clustering.minSamples=2", "clustering.eps=0.7", "evaluation.rankedQueries=1"],
                                variants: [.init(name: "baseline"), .init(name: "inject", set: ["views.method=inject"])])
        var runner = AblationRunner(plan: plan, out: folder + "/out")
        runner.verbose = false
        runner.seeds = [3, 5]
        let rows = try runner.run()
        XCTAssertEqual(rows.map(\.name), ["baseline", "baseline", "inject", "inject"])
        XCTAssertEqual(rows.map(\.seed), [3, 5, 3, 5])
        for row in rows {
            XCTAssertTrue(row.run.hasSuffix("/seed-\(row.seed!)"), row.run)
            let config = try String(contentsOfFile: row.run + "/config.yaml", encoding: .utf8)
            XCTAssertTrue(config.contains("seed: \(row.seed!)"), "each run trains with its own seed")
        }
        let table = AblationTable(plan: plan, rows: rows)
        XCTAssertEqual(table.summaries.map(\.name), ["baseline", "inject"])
        XCTAssertEqual(table.summaries[1].mAP.values, [rows[2].mAP, rows[3].mAP])
        let md = try String(contentsOfFile: folder + "/out/ablation.md", encoding: .utf8)
        XCTAssertTrue(md.contains("| inject | 3,5 |") && md.contains("±"), md)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/out/ablation.json"))) as? [String: Any])
        let variants = try XCTUnwrap(json["variants"] as? [[String: Any]])
        XCTAssertEqual(variants.map { $0["name"] as? String }, ["baseline", "inject"])
        XCTAssertEqual(variants[1]["seeds"] as? [Int], [3, 5])
        // A rerun with the same seeds trains nothing.
        let again = try runner.run()
        XCTAssertEqual(again.map(\.seconds), rows.map(\.seconds))
    }

    /// Mean, sample std and the verdict, by hand: reference mAP 0.30/0.32/0.34 (mean 0.32, std 0.02).
    func testSeedSummaryStatisticsAndVerdict() {
        func row(_ name: String, _ seed: UInt64, _ mAP: Double) -> AblationRow {
            AblationRow(name: name, run: "", rank1: mAP, rank5: 0, rank10: 0, mAP: mAP, seconds: 60, epochs: 1, views: "", seed: seed)
        }
        let ref = AblationSeedSummary(name: "baseline", rows: [row("baseline", 0, 0.30), row("baseline", 1, 0.32), row("baseline", 2, 0.34)])
        XCTAssertEqual(ref.mAP.mean, 0.32, accuracy: 1e-12)
        XCTAssertEqual(ref.mAP.std, 0.02, accuracy: 1e-12)
        let better = AblationSeedSummary(name: "a", rows: [row("a", 0, 0.35), row("a", 1, 0.36), row("a", 2, 0.37)])
        XCTAssertEqual(better.mAPDifference(from: ref), 0.04, accuracy: 1e-12)
        XCTAssertEqual(better.runsAbove(ref), 3)
        XCTAssertEqual(better.verdict(against: ref), "helps")
        // +0.01 is inside the spread (0.02): no effect, although the mean is higher.
        let noisy = AblationSeedSummary(name: "b", rows: [row("b", 0, 0.31), row("b", 1, 0.33), row("b", 2, 0.35)])
        XCTAssertEqual(noisy.verdict(against: ref), "no effect")
        XCTAssertEqual(noisy.runsAbove(ref), 2)
        let worse = AblationSeedSummary(name: "c", rows: [row("c", 0, 0.20), row("c", 1, 0.21), row("c", 2, 0.22)])
        XCTAssertEqual(worse.verdict(against: ref), "hurts")
        let single = AblationSeedSummary(name: "d", rows: [row("d", 0, 0.5)])
        XCTAssertTrue(single.mAP.std.isNaN)
        XCTAssertEqual(single.verdict(against: AblationSeedSummary(name: "e", rows: [row("e", 0, 0.1)])), "–")
    }

    func testBadPlansAreClearErrors() throws {
        let folder = NSTemporaryDirectory() + "reid-ablation-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "base: x.yaml\nvariants: []\n".write(toFile: folder + "/p.yaml", atomically: true, encoding: .utf8)
        XCTAssertTrue(message { try AblationPlan.load(folder + "/p.yaml") }.contains("lists no variants"))
        try "base: x.yaml\nvariants:\n  - name: a\n  - name: a\n".write(toFile: folder + "/p.yaml", atomically: true, encoding: .utf8)
        XCTAssertTrue(message { try AblationPlan.load(folder + "/p.yaml") }.contains("same name"))
        XCTAssertTrue(message { try AblationPlan.load(folder + "/missing.yaml") }.contains("cannot read"))
    }
}
