import Foundation
import XCTest
@testable import ReID
import Torch

/// How the four methods choose and label views, the curriculum, and the combination weights.
final class ViewStrategyTests: XCTestCase {
    /// Three originals, each with views at 90 and 180 (an in-memory view set).
    func pool() -> ViewPool {
        let names = ["0001_c1s1_000001_00.jpg", "0002_c1s1_000002_00.jpg", "0003_c2s1_000003_00.jpg"]
        let originals = names.enumerated().map { ImageRecord(path: "/d/" + $1, pid: $0 + 1, camera: 0) }
        var views: [String: [Int: String]] = [:]
        for n in names { views[n] = [90: "/v/nv/90/" + n, 180: "/v/nv/180/" + n] }
        let set = ViewSet(root: "/v", angles: [90, 180], views: views, masks: [:], problems: [])
        return ViewPool(originals: originals, viewSet: set)
    }

    func testPoolKeepsOriginalsFirstAndViewsKeepTheirPid() {
        let p = pool()
        XCTAssertEqual(p.records.count, 9)
        XCTAssertEqual(p.originals, 3)
        XCTAssertEqual(Array(p.kinds.prefix(3)), [.original, .original, .original])
        for i in 3..<9 { XCTAssertEqual(p.records[i].pid, p.records[p.origin[i]].pid) }
        XCTAssertEqual(p.views(perImage: 1, angles: [90, 180]).map { p.kinds[$0] }, [.view(angle: 90), .view(angle: 180), .view(angle: 90)])
    }

    func testInjectViewsFollowTheirOriginalAndOutliersViewsAreDropped() {
        let p = pool()
        let inject = InjectViews(perImage: 2, angles: [90, 180])
        let clustered = inject.clustered(epoch: 0, pool: p)
        XCTAssertEqual(clustered, [0, 1, 2], "inject clusters originals only")
        let trained = inject.training(epoch: 0, pool: p, clustered: clustered, labels: [4, -1, 7])
        let labelOf = Dictionary(uniqueKeysWithValues: trained.map { ($0.index, $0.label) })
        XCTAssertEqual(labelOf[0], 4)
        XCTAssertEqual(labelOf[2], 7)
        XCTAssertNil(labelOf[1], "an outlier is not trained on")
        for (i, l) in trained where i >= p.originals { XCTAssertEqual(l, labelOf[p.origin[i]]!, "a view takes its original's label") }
        let viewsOf = { (o: Int) in trained.filter { $0.index >= p.originals && p.origin[$0.index] == o }.count }
        XCTAssertEqual(viewsOf(0), 2)
        XCTAssertEqual(viewsOf(2), 2)
        XCTAssertEqual(viewsOf(1), 0, "an outlier's views are dropped")
    }

    func testSimpleViewsAreClusteredAndKeepTheirOwnLabels() {
        let p = pool()
        let simple = SimpleViews(perImage: 1, angles: [90, 180])
        let clustered = simple.clustered(epoch: 0, pool: p)
        XCTAssertEqual(clustered.count, 6)
        let labels = [0, 0, 1, 2, -1, 1]
        let trained = simple.training(epoch: 0, pool: p, clustered: clustered, labels: labels)
        XCTAssertEqual(trained.map(\.index), [0, 1, 2, clustered[3], clustered[5]])
        XCTAssertEqual(trained.map(\.label), [0, 0, 1, 2, 1])
    }

    func testScheduleParsing() throws {
        let s = try ViewSchedule(parsing: "135:0-25,90:25-50,270:50-75,180:75-100")
        XCTAssertEqual(s.phases.map(\.angle), [135, 90, 270, 180])
        XCTAssertEqual(s.description, "135:0-25,90:25-50,270:50-75,180:75-100")
        XCTAssertEqual(try ViewSchedule(parsing: "90:50-100, 135:0-50").phases.map(\.angle), [135, 90], "sorted by start")
        for bad in ["", "135", "135:0-25,90:20-50", "abc:0-10", "400:0-10", "90:30-20", "90:0-120", "90:0-"] {
            XCTAssertThrowsError(try ViewSchedule(parsing: bad), bad) { XCTAssertTrue("\($0)".contains("schedule"), "\($0)") }
        }
    }

    func testPhaseSwitching() throws {
        let s = try ViewSchedule(parsing: "135:0-25,90:25-50,270:50-75,180:75-100")
        // 8 epochs: two per phase.
        XCTAssertEqual((0..<8).map { s.phase(epoch: $0, of: 8)!.angle }, [135, 135, 90, 90, 270, 270, 180, 180])
        XCTAssertEqual(s.angles(epoch: 5, of: 8, cumulative: false), [270])
        XCTAssertEqual(s.angles(epoch: 5, of: 8, cumulative: true), [135, 90, 270])
        let gap = try ViewSchedule(parsing: "90:50-100")
        XCTAssertNil(gap.phase(epoch: 0, of: 4))
        XCTAssertEqual(gap.angles(epoch: 0, of: 4, cumulative: true), [])

        let p = pool()
        let sequential = SequentialViews(schedule: try ViewSchedule(parsing: "180:0-50,90:50-100"), epochs: 4, cumulative: true)
        let kinds = { (e: Int) in sequential.clustered(epoch: e, pool: p).dropFirst(3).map { p.kinds[$0] } }
        XCTAssertEqual(kinds(1), Array(repeating: .view(angle: 180), count: 3))
        XCTAssertEqual(Set(kinds(2).map { "\($0)" }), Set(["view(angle: 180)", "view(angle: 90)"]))
        XCTAssertEqual(kinds(2).count, 6, "the second phase adds one more view per original")
    }

    /// The paper's curriculum (the default): each phase trains the originals plus exactly one view
    /// of each, at that phase's angle, and the earlier phase's views are gone.
    func testNonCumulativePhasesAddExactlyOneViewPerOriginal() throws {
        XCTAssertFalse(TrainingConfig().views.cumulative, "one view per original per phase is the default")
        let p = pool()
        let sequential = SequentialViews(schedule: try ViewSchedule(parsing: "180:0-50,90:50-100"), epochs: 4, cumulative: false)
        for (epoch, angle) in [(0, 180), (1, 180), (2, 90), (3, 90)] {
            let clustered = sequential.clustered(epoch: epoch, pool: p)
            XCTAssertEqual(Array(clustered.prefix(p.originals)), Array(0..<p.originals), "every original, first")
            let views = clustered.dropFirst(p.originals)
            XCTAssertEqual(views.map { p.origin[$0] }.sorted(), Array(0..<p.originals), "epoch \(epoch): one view per original")
            XCTAssertTrue(views.allSatisfy { p.kinds[$0] == .view(angle: angle) }, "epoch \(epoch): only the phase's angle \(angle)")
        }
    }

    func testLearnedCombinationWeightsReceiveGradients() throws {
        let learned = try FeatureCombination(originalWeight: 2, maskWeight: 1, learned: true)
        XCTAssertEqual(try learned.weightValues()[0], 2.0 / 3, accuracy: 1e-5)
        let original = try Tensor.randn([4, 8]), masked = try Tensor.randn([4, 8])
        let target = try Tensor.randn([4, 8])
        let loss = try (learned(original: original, masked: masked) - target).square().mean()
        try loss.backward()
        let grad = try XCTUnwrap(learned.logits.grad)
        XCTAssertGreaterThan(try grad.abs().sum().item(), 0)
        XCTAssertEqual(learned.trainableParameters().count, 1)

        let fixed = try FeatureCombination(originalWeight: 2, maskWeight: 1, learned: false)
        XCTAssertTrue(fixed.trainableParameters().isEmpty, "fixed weights are not trained")
        let mixed = try fixed(original: original, masked: masked)
        let expected = try (original * 2 + masked) / 3
        XCTAssertLessThan(try (mixed - expected).abs().max().item(), 1e-5)
    }
}
