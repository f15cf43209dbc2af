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
