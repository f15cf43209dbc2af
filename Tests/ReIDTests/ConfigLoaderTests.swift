import Foundation
import XCTest
@testable import ReID

private struct Sample: Codable, Equatable {
    struct Optim: Codable, Equatable {
        var name = "adam"
        var lr = 3.5e-4
        var milestones = [40, 70]
    }
    var epochs = 120
    var flip = true
    var optimizer = Optim()
}

final class ConfigLoaderTests: XCTestCase {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "cfg-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testDefaultsFileAndOverrides() throws {
        let file = try write("epochs: 10\noptimizer:\n  lr: 0.01\n")
        let c = try ConfigLoader.load(Sample.self, defaults: Sample(), yamlFile: file,
                                      overrides: ["optimizer.name=sgd", "flip=false", "optimizer.milestones=[5, 8]"])
        XCTAssertEqual(c.epochs, 10)
        XCTAssertEqual(c.optimizer.lr, 0.01)
        XCTAssertEqual(c.optimizer.name, "sgd")
        XCTAssertEqual(c.flip, false)
        XCTAssertEqual(c.optimizer.milestones, [5, 8])
        XCTAssertEqual(try ConfigLoader.load(Sample.self, defaults: Sample(), yamlFile: nil), Sample())
    }

    func testUnknownKeyIsNamedWithASuggestion() throws {
        let file = try write("optimizer:\n  lrr: 0.1\n")
        XCTAssertThrowsError(try ConfigLoader.load(Sample.self, defaults: Sample(), yamlFile: file)) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("unknown config key 'optimizer.lrr'") && text.contains("did you mean 'lr'"), text)
        }
        XCTAssertThrowsError(try ConfigLoader.load(Sample.self, defaults: Sample(), yamlFile: nil, overrides: ["epoch=3"])) {
            XCTAssertTrue("\($0)".contains("'epoch'") && "\($0)".contains("did you mean 'epochs'"), "\($0)")
        }
    }

    func testWrongTypeAndBadSyntax() throws {
        let file = try write("epochs: many\n")
        XCTAssertThrowsError(try ConfigLoader.load(Sample.self, defaults: Sample(), yamlFile: file)) {
            XCTAssertTrue("\($0)".contains("epochs"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigLoader.load(Sample.self, defaults: Sample(), yamlFile: nil, overrides: ["epochs"]))
        let yaml = try ConfigLoader.yaml(Sample())
        XCTAssertTrue(yaml.contains("epochs: 120"), yaml)
    }
}
