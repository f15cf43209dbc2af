import Foundation
import XCTest
import ReIDTestSupport

/// Mistakes a user can make that must be refused with the fix, not run into a silent wrong result.
extension CLITests {
    func testASwappedOrAbsurdSizeIsRefusedWithTheExpectedForm() throws {
        for (size, expected) in [("128x256", "wider than tall"), ("8x4", "outside"), ("256by128", "not a size"),
                                 ("4096x128", "outside")] {
            let out = folder!
            for command: [String] in [["extract", "--model", "osnet_x0_25", "--images", out, "--out", out + "/f.safetensors"],
                            ["index", "build", "--gallery", out, "--model", "color-histogram", "--db", out + "/g.sqlite"]] {
                let r = try run(command + ["--size", size])
                XCTAssertNotEqual(r.status, 0, "\(command[0]) --size \(size)")
                XCTAssertTrue(r.err.contains(expected) && r.err.contains("HEIGHTxWIDTH"), r.err)
            }
        }
    }
}
