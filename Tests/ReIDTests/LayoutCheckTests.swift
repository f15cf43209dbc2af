import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID

/// Layouts that load without an error but mean something else than the user thinks.
final class LayoutCheckTests: XCTestCase {
    var fx: DatasetFixture!
    override func setUpWithError() throws { fx = try DatasetFixture("reid-layout") }
    override func tearDownWithError() throws { fx.remove() }

    func testTrainQueryGalleryFoldersAreAProblemWithTheFix() throws {
        try fx.images(["train/0001_c1s1_000001_00.jpg", "query/0002_c1s1_000001_00.jpg", "gallery/0002_c2s1_000001_00.jpg"])
        // query/ makes it look like Market-1501 with its training and gallery folders missing.
        let r = try ReidBinary.run(["dataset", "inspect", fx.root])
        XCTAssertEqual(r.status, 1, "read without a word: " + r.out)
        XCTAssertTrue(r.out.contains("layout: ") && r.out.contains("train/ beside it") && r.out.contains("gallery/ beside it"), r.out)
        // Without query/, detection would take it for one unlabeled folder.
        try FileManager.default.moveItem(atPath: fx.root + "/query", toPath: fx.root + "/test")
        let unlabeled = try ReidBinary.run(["dataset", "inspect", fx.root])
        XCTAssertEqual(unlabeled.status, 1, unlabeled.out)
        XCTAssertTrue(unlabeled.out.contains("bounding_box_train/") && unlabeled.out.contains("--format folder"), unlabeled.out)
        // Given on purpose as an unlabeled folder, it is not a problem.
        XCTAssertEqual(try ReidBinary.run(["dataset", "inspect", fx.root, "--format", "folder"]).status, 0)
    }

    func testAnEmptySplitBesideAFullLookalikeIsAProblem() throws {
        try fx.images(["bounding_box_train/0001_c1s1_000001_00.jpg", "query/0002_c1s1_000001_00.jpg",
                       "bounding_box_test_full/0002_c2s1_000001_00.jpg"])
        try FileManager.default.createDirectory(atPath: fx.root + "/bounding_box_test", withIntermediateDirectories: true)
        let report = try DatasetInspection.inspect(fx.root)
        let layout = report.issues.filter { $0.kind == .layout }
        XCTAssertEqual(layout.count, 1, "\(report.issues)")
        XCTAssertTrue(layout.first?.message.contains("bounding_box_test_full/") ?? false, "\(layout)")
    }

    func testAFlatFolderOfMarketNamesIsReportedAsSuch() throws {
        try fx.images(["0001_c1s1_000001_00.jpg", "0001_c2s1_000001_00.jpg", "0002_c1s1_000001_00.jpg"])
        let r = try ReidBinary.run(["dataset", "inspect", fx.root])
        XCTAssertEqual(r.status, 0, r.out)
        XCTAssertTrue(r.out.contains("note: ") && r.out.contains("flat folder of 3 Market-1501 named files"), r.out)
    }
}
