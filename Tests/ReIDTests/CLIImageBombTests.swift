import Foundation
import XCTest
import ReIDTestSupport

extension CLITests {
    /// A crop whose header declares 30000×30000 pixels is refused by the command-line readers with
    /// the file named, before OpenCV allocates gigabytes for it.
    func testImageBombsAreRefusedNamingTheFile() throws {
        let images = folder + "/crops"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        bytes += [0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 2, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0x78, count: 64)
        try Data(bytes).write(to: URL(fileURLWithPath: images + "/0001_c1s1_000001_00.png"))
        let r = try ReidBinary.run(["extract", "--model", "osnet_x0_25", "--random-init", "--images", images,
                                    "--out", folder + "/f.safetensors"], timeout: 120)
        XCTAssertFalse(r.timedOut)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("0001_c1s1_000001_00.png") && r.err.contains("30000x30000"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/f.safetensors"))
    }
}
