import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID
import Torch

/// The view-set layout (GCL's nv/<deg>/<name>, mask/<name>), its coverage and its errors.
final class ViewSetTests: XCTestCase {
    func testParsesAnglesMasksAndMissingAngles() throws {
        let f = try DatasetFixture("views")
        defer { f.remove() }
        try f.images(["nv/90/0001_c1s1_000001_00.jpg", "nv/90/0002_c2s1_000002_00.jpg",
                      "nv/180/0001_c1s1_000001_00.jpg", "mask/0001_c1s1_000001_00.jpg"])
        let set = try ViewSet.load(f.root)
        XCTAssertEqual(set.angles, [90, 180])
        XCTAssertEqual(set.view(of: "0001_c1s1_000001_00.jpg", angle: 180), f.root + "/nv/180/0001_c1s1_000001_00.jpg")
        XCTAssertNil(set.view(of: "0002_c2s1_000002_00.jpg", angle: 180))
        XCTAssertNotNil(set.mask(of: "0001_c1s1_000001_00.jpg"))
        XCTAssertNil(set.mask(of: "0002_c2s1_000002_00.jpg"))
        XCTAssertTrue(set.problems.isEmpty)

        let coverage = set.coverage(originals: ["0001_c1s1_000001_00.jpg", "0002_c2s1_000002_00.jpg", "0003_c1s1_000003_00.jpg"])
        XCTAssertEqual(coverage.perAngle.map(\.views), [2, 1])
        XCTAssertEqual(coverage.masks, 1)
        XCTAssertEqual(coverage.missing.map(\.name), ["0002_c2s1_000002_00.jpg", "0003_c1s1_000003_00.jpg"])
        XCTAssertEqual(coverage.missing.map(\.angles), [[180], [90, 180]])
        XCTAssertFalse(coverage.complete)
        XCTAssertTrue(set.coverage().missing.map(\.name) == ["0002_c2s1_000002_00.jpg"])
    }

    func testPNGViewOfAJPEGOriginalIsFound() throws {
        let f = try DatasetFixture("views")
        defer { f.remove() }
        try f.image("nv/270/0001_c1s1_000001_00.png")
        XCTAssertNotNil(try ViewSet.load(f.root).view(of: "0001_c1s1_000001_00.jpg", angle: 270))
    }

    func testBadNamesAreReportedAndFailValidation() throws {
        let f = try DatasetFixture("views")
        defer { f.remove() }
        try f.images(["nv/90/0001_c1s1_000001_00.jpg", "nv/left/0001_c1s1_000001_00.jpg"])
        try f.text("nv/90/readme.txt", "notes")
        let set = try ViewSet.load(f.root)
        XCTAssertEqual(set.angles, [90])
        XCTAssertEqual(set.problems.count, 2)
        XCTAssertTrue(set.problems.contains { $0.path.hasSuffix("nv/left") && $0.reason.contains("degrees") })
        XCTAssertTrue(set.problems.contains { $0.path.hasSuffix("readme.txt") })
        XCTAssertThrowsError(try set.validate()) { XCTAssertTrue("\($0)".contains("nv/left") || "\($0)".contains("readme.txt"), "\($0)") }
    }

    func testFolderWithoutViewsIsAClearError() throws {
        let f = try DatasetFixture("views")
        defer { f.remove() }
        try f.image("bounding_box_train/0001_c1s1_000001_00.jpg")
        XCTAssertTrue(message { try ViewSet.load(f.root) }.contains("has no nv/ folder"))
        try f.folder("nv/90")
        XCTAssertTrue(message { try ViewSet.load(f.root) }.contains("no angle folder with images"))
    }

    func testInspectCommandExitsNonZeroOnMissingAngles() throws {
        let f = try DatasetFixture("views")
        defer { f.remove() }
        try f.images(["nv/90/0001_c1s1_000001_00.jpg", "nv/90/0002_c1s1_000002_00.jpg", "nv/135/0001_c1s1_000001_00.jpg"])
        let r = try ReidBinary.run(["views", "inspect", f.root, "--json"])
        XCTAssertEqual(r.status, 1)
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let missing = json?["missing"] as? [[String: Any]]
        XCTAssertEqual(missing?.first?["name"] as? String, "0002_c1s1_000002_00.jpg")
        XCTAssertEqual(missing?.first?["angles"] as? [Int], [135])
    }
}
