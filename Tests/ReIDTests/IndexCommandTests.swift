import Foundation
import ReIDTestSupport
import XCTest

/// `reid index build` / `remove` as a user runs them: mistakes give an error and a non-zero
/// exit, and leave nothing half-made behind.
final class IndexCommandTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-index-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testBuildOnAnEmptyFolderRefusesAndCreatesNoDatabase() throws {
        let db = folder + "/gallery.sqlite"
        let r = try ReidBinary.run(["index", "build", "--gallery", folder + "/empty", "--model", "color-histogram", "--db", db])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains(folder + "/empty") && r.err.contains("contains no images"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "no empty database is left behind")
    }

    func testRemovingAnUnknownIdFailsAfterRemovingTheKnownOnes() throws {
        let db = folder + "/gallery.sqlite"
        XCTAssertEqual(try ReidBinary.run(["synth", "--out", folder + "/data", "--ids", "4", "--cameras", "2"]).status, 0)
        let built = try ReidBinary.run(["index", "build", "--gallery", folder + "/data/query", "--model", "color-histogram",
                                        "--db", db, "--json"])
        XCTAssertEqual(built.status, 0, built.err)
        let items = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(built.out.utf8)) as? [String: Any])?["items"] as? Int)
        XCTAssertGreaterThan(items, 0)

        let missing = try ReidBinary.run(["index", "remove", "--db", db, "--id", "999999"])
        XCTAssertNotEqual(missing.status, 0, "an id that is not in the gallery is an error")
        XCTAssertTrue(missing.err.contains("999999") && missing.err.contains("not found"), missing.err)

        let mixed = try ReidBinary.run(["index", "remove", "--db", db, "--id", "1", "--id", "999999", "--json"])
        XCTAssertNotEqual(mixed.status, 0)
        let summary = try JSONSerialization.jsonObject(with: Data(mixed.out.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["items"] as? Int, items - 1, "the id that exists is removed")
        XCTAssertTrue(mixed.err.contains("999999"), mixed.err)
    }
}
