import Foundation
import XCTest
import ReIDTestSupport
@testable import ReID

/// `reid dataset inspect`, run as a user would.
final class DatasetCommandTests: XCTestCase {
    func testInspectCUHK03Pair1() throws {
        let root = try SharedData.file("data/cuhk03-pair1")
        let r = try ReidBinary.run(["dataset", "inspect", root, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        let train = json["train"] as? [String: Any], query = json["query"] as? [String: Any]
        let gallery = json["gallery"] as? [String: Any]
        XCTAssertEqual(json["format"] as? String, "market")
        XCTAssertEqual(json["train_ids"] as? Int, 743)
        XCTAssertEqual(train?["images"] as? Int, 7239)
        XCTAssertEqual(train?["ids"] as? Int, 743)
        XCTAssertEqual(query?["images"] as? Int, 200)
        XCTAssertEqual(gallery?["images"] as? Int, 738)
        XCTAssertEqual(json["cameras"] as? Int, 2)
        XCTAssertEqual(json["unreadable"] as? Int, 0)
        XCTAssertEqual(json["misnamed"] as? Int, 0)

        let text = try ReidBinary.run(["dataset", "inspect", root])
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("training identities: 743"), text.out)
        XCTAssertTrue(text.out.contains("no problems found"), text.out)
    }

    func testInspectReportsProblemsWithExitStatus1() throws {
        let fx = try DatasetFixture("reid-inspect")
        defer { fx.remove() }
        try fx.images(["bounding_box_train/0002_c1s1_000451_03.jpg", "query/0002_c2s1_000451_03.jpg",
                       "query/holiday.jpg", "bounding_box_test/0002_c3s1_000451_03.jpg"])
        try fx.text("bounding_box_test/0004_c1s1_000001_00.jpg", "not an image")
        let r = try ReidBinary.run(["dataset", "inspect", fx.root])
        XCTAssertEqual(r.status, 1, r.out + r.err)
        XCTAssertTrue(r.out.contains("misnamed: ") && r.out.contains("holiday.jpg"), r.out)
        XCTAssertTrue(r.out.contains("unreadable: ") && r.out.contains("0004_c1s1_000001_00.jpg"), r.out)
        let wrong = try ReidBinary.run(["dataset", "inspect", fx.root, "--format", "msmt17"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.err.contains("list_train.txt") && wrong.err.contains("--format market"), wrong.err)
        let help = try ReidBinary.run(["dataset", "inspect", "--help"])
        XCTAssertTrue(help.out.contains("Examples:") && help.out.contains("--check-images"), help.out)
        XCTAssertTrue(try ReidBinary.run(["--help"]).out.contains("dataset"))
    }

    func testExtractReadsACSVManifestWithFormatAndSplits() throws {
        let fx = try DatasetFixture("reid-extract-csv")
        defer { fx.remove() }
        try fx.images(["img/a1.png", "img/a2.png", "img/b1.png", "img/b2.png"])
        try fx.text("list.csv", "path,pid,camera,split\nimg/a1.png,1,0,train\nimg/a2.png,1,1,query\n"
                    + "img/b1.png,2,0,gallery\nimg/b2.png,1,0,gallery\n")
        let out = fx.root + "/f.safetensors"
        let r = try ReidBinary.run(["extract", "--model", "osnet_x0_25", "--random-init", "--dataset", fx.root + "/list.csv",
                                    "--format", "csv", "--split", "query,gallery", "--size", "32x16", "--out", out, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let summary = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["images"] as? Int, 3)
        let missing = try ReidBinary.run(["extract", "--model", "osnet_x0_25", "--random-init", "--dataset", fx.root,
                                          "--format", "market", "--out", out])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("bounding_box_train/") && missing.err.contains("list.csv"), missing.err)
    }
}
