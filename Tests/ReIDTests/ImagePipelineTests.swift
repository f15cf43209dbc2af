import Foundation
import XCTest
@testable import ReID
@testable import Torch

final class ImagePipelineTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-img-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// A 2-colour test card: left half red, right half blue.
    func card(height: Int = 32, width: Int = 16) -> Image {
        var img = Image(height: height, width: width)
        for y in 0..<height {
            for x in 0..<width {
                let o = (y * width + x) * 3
                if x < width / 2 { img.pixels[o] = 255 } else { img.pixels[o + 2] = 255 }
            }
        }
        return img
    }

    func testPNGRoundTripIsExactAndRGBOrdered() throws {
        let path = folder + "/card.png"
        try card().write(to: path)
        let back = try Image(contentsOf: path)
        XCTAssertEqual(back.height, 32)
        XCTAssertEqual(back.width, 16)
        XCTAssertEqual(back.pixels, card().pixels)
        XCTAssertEqual(Array(back.pixels[0..<3]), [255, 0, 0], "pixels are RGB, not OpenCV's BGR")
    }

    func testDecodeFromBytesAndResize() throws {
        let data = try card().encoded(as: ".png")
        let img = try Image(encoded: data)
        let small = try img.resized(height: 8, width: 4)
        XCTAssertEqual(small.pixels.count, 8 * 4 * 3)
        XCTAssertEqual(Array(small.pixels[0..<3]), [255, 0, 0])
        XCTAssertThrowsError(try Image(encoded: Data("hello".utf8)))
    }

    func testNormalisedLoadMatchesDefinition() throws {
        let path = folder + "/card.png"
        try card().write(to: path)
        var out = [Float](repeating: 0, count: 3 * 32 * 16)
        try out.withUnsafeMutableBufferPointer {
            try ImageLoading.loadNormalized(path, height: 32, width: 16, into: $0.baseAddress!)
        }
        // Top-left pixel is pure red: channel c is (v/255 - mean[c]) / std[c].
        let mean = ImageLoading.imagenetMean, std = ImageLoading.imagenetStd
        XCTAssertEqual(out[0], (1 - mean[0]) / std[0], accuracy: 1e-5)
        XCTAssertEqual(out[32 * 16], (0 - mean[1]) / std[1], accuracy: 1e-5)
        XCTAssertEqual(out[2 * 32 * 16], (0 - mean[2]) / std[2], accuracy: 1e-5)
    }

    func testCorruptJPEGGivesAnErrorNamingTheFile() throws {
        let good = folder + "/0001_c1s1_000001_00.jpg"
        try card().write(to: good)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        bytes = bytes.prefix(20) + Data(repeating: 0x55, count: 200)
        let bad = folder + "/0002_c1s1_000001_00.jpg"
        try bytes.write(to: URL(fileURLWithPath: bad))
        XCTAssertThrowsError(try Image(contentsOf: bad)) { XCTAssertTrue("\($0)".contains("0002_c1s1_000001_00.jpg"), "\($0)") }
        let loader = BatchLoader(paths: [good, bad], height: 16, width: 8, batchSize: 2)
        XCTAssertThrowsError(try loader.load(batch: 0)) { XCTAssertTrue("\($0)".contains(bad), "\($0)") }
    }

    func testEmptyAndMissingFoldersAreClearErrors() throws {
        XCTAssertThrowsError(try ImageFolder.list(folder)) { XCTAssertTrue("\($0)".contains("contains no images"), "\($0)") }
        XCTAssertThrowsError(try ImageFolder.list(folder + "/nope")) { XCTAssertTrue("\($0)".contains("no such folder")) }
    }

    func testBatchLoaderKeepsOrderAcrossPrefetchedBatches() throws {
        var paths: [String] = []
        for i in 0..<7 {
            var img = Image(height: 4, width: 2, fill: UInt8(i * 30))
            img.pixels[0] = UInt8(i * 30)
            let p = folder + "/\(i).png"
            try img.write(to: p)
            paths.append(p)
        }
        let loader = BatchLoader(paths: paths, height: 4, width: 2, batchSize: 3)
        XCTAssertEqual(loader.batchCount, 3)
        var seen: [Float] = []
        try loader.forEachBatch { _, batch in
            let firstValues = try batch.select(dim: 1, index: 0).flatten(from: 1).select(dim: 1, index: 0).floats()
            seen += firstValues
        }
        let expected = (0..<7).map { (Float($0 * 30) / 255 - ImageLoading.imagenetMean[0]) / ImageLoading.imagenetStd[0] }
        XCTAssertEqual(seen.count, 7)
        for (a, b) in zip(seen, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testMarketNames() {
        XCTAssertEqual(MarketNaming.parse("0002_c1s1_000451_03.jpg")?.pid, 2)
        XCTAssertEqual(MarketNaming.parse("0002_c1s1_000451_03.jpg")?.camera, 0)
        XCTAssertEqual(MarketNaming.parse("-1_c3s2_000001_00.jpg")?.pid, -1)
        XCTAssertEqual(MarketNaming.parse("folder/1001_c2s1_000006_00.jpg")?.camera, 1)
        XCTAssertNil(MarketNaming.parse("holiday.jpg"))
    }
}
