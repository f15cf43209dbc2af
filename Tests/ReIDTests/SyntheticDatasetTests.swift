import Foundation
import XCTest
@testable import ReID
@testable import Torch

final class SyntheticDatasetTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-synth-\(UUID().uuidString)"
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func make(seed: UInt64, at root: String) throws -> SyntheticDataset.Summary {
        var synth = SyntheticDataset(ids: 8, cameras: 3, seed: seed)
        synth.height = 64
        synth.width = 32
        synth.tracksPerVideo = 2
        synth.framesPerTrack = 3
        return try synth.write(to: root)
    }

    func testLayoutSplitsAndExtras() throws {
        let s = try make(seed: 1, at: folder)
        let data = try MarketDataset(root: folder)
        XCTAssertEqual(data[.train].count, s.train)
        XCTAssertEqual(data[.query].count, s.query)
        XCTAssertEqual(data[.gallery].count, s.gallery)
        let trainIds = Set(data[.train].map(\.pid)), testIds = Set(data[.query].map(\.pid))
        XCTAssertTrue(trainIds.isDisjoint(with: testIds))
        XCTAssertEqual(trainIds.count, 4)
        // Every query has a true match from another camera in the gallery.
        for q in data[.query] {
            XCTAssertTrue(data[.gallery].contains { $0.pid == q.pid && $0.camera != q.camera }, "\(q.name)")
        }
        // Novel views for every training image at each angle; masks for every image.
        for record in data[.train] {
            for angle in [90, 135, 180, 270] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder!)/nv/\(angle)/\(record.name)"))
            }
        }
        let mask = try Image(contentsOf: "\(folder!)/mask/\(data[.query][0].name)")
        let white = mask.pixels.filter { $0 > 127 }.count
        XCTAssertGreaterThan(white, mask.pixels.count / 20, "the person covers part of the image")
        XCTAssertLessThan(white, mask.pixels.count / 2)
        XCTAssertEqual(s.tracklets, 3 * 2 * 3)
        XCTAssertEqual(try ImageFolder.list("\(folder!)/tracklets/cam1/001").count, 3)
    }

    func testSameSeedSameImagesOtherSeedOtherImages() throws {
        _ = try make(seed: 5, at: folder + "/a")
        _ = try make(seed: 5, at: folder + "/b")
        _ = try make(seed: 6, at: folder + "/c")
        let name = try ImageFolder.list(folder + "/a/query")[0].split(separator: "/").last!
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(folder!)/a/query/\(name)"))
        let b = try Data(contentsOf: URL(fileURLWithPath: "\(folder!)/b/query/\(name)"))
        XCTAssertEqual(a, b)
        let c = try ImageFolder.list(folder + "/c/query").map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        XCTAssertFalse(c.contains(a))
    }

    func testTooSmallIsAClearError() {
        XCTAssertThrowsError(try SyntheticDataset(ids: 2, cameras: 1).write(to: folder)) {
            XCTAssertTrue("\($0)".contains("at least 4 ids and 2 cameras"), "\($0)")
        }
    }
}
