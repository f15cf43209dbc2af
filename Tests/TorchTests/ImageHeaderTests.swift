import Foundation
import XCTest
@testable import Torch

/// Image sizes read from headers alone, and the pixel limit that guards every decode.
final class ImageHeaderTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-header-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// A PNG signature and IHDR declaring `width`×`height`, then junk: a bomb's header.
    static func pngHeader(width: UInt32, height: UInt32) -> Data {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        for v in [width, height] { bytes += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return Data(bytes + [8, 2, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0x78, count: 40))
    }

    func testEveryDecodableFormatGivesItsSize() throws {
        let image = Image(height: 37, width: 23, fill: 90)
        for ext in [".png", ".jpg", ".bmp", ".webp", ".tiff", ".ppm"] {
            let data = try image.encoded(as: ext)
            let header = try ImageHeader(bytes: data)
            XCTAssertEqual(header.width, 23, ext)
            XCTAssertEqual(header.height, 37, ext)
            let path = folder + "/a" + ext
            try data.write(to: URL(fileURLWithPath: path))
            XCTAssertEqual(try ImageHeader(contentsOf: path), header, ext)
        }
    }

    func testABombIsRefusedBeforeDecodingWithTheFileNamed() throws {
        let bomb = Self.pngHeader(width: 30000, height: 30000)
        XCTAssertEqual(try ImageHeader(bytes: bomb).pixels, 900_000_000)
        XCTAssertThrowsError(try Image(encoded: bomb)) { error in
            XCTAssertTrue(error is ImageTooLarge, "\(error)")
        }
        let path = folder + "/bomb.png"
        try bomb.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Image(contentsOf: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(error is ImageTooLarge && text.contains("bomb.png") && text.contains("30000x30000"), text)
        }
        var destination = [Float](repeating: 0, count: 3 * 8 * 4)
        XCTAssertThrowsError(try ImageLoading.loadNormalized(path, height: 8, width: 4, into: &destination)) { error in
            XCTAssertTrue("\(error)".contains("bomb.png"), "\(error)")
        }
        // Under the limit, the same check passes and the decoder decides.
        XCTAssertNoThrow(try Image(encoded: Image(height: 10, width: 10).encoded(as: ".png"), maxPixels: 100))
        XCTAssertThrowsError(try Image(encoded: Image(height: 10, width: 11).encoded(as: ".png"), maxPixels: 100))
    }

    func testTruncatedAndUnknownHeadersAreClearErrors() throws {
        for (bytes, expected) in [([UInt8]([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]), "IHDR"),
                                  (Array("GIF89a-nope".utf8), "not a JPEG"), ([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "JPEG"),
                                  (Array("RIFF\0\0\0\0WEBPVP8 ".utf8), "WebP"), ([0x49, 0x49, 0x2A, 0, 0xFF, 0xFF, 0, 0], "TIFF"),
                                  (Array("P6\n# only a comment".utf8), "PNM"), ([], "empty")] {
            XCTAssertThrowsError(try ImageHeader(bytes: Data(bytes))) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }
}
