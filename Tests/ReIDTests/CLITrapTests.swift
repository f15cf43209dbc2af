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

    /// `--set training.epochs=2` on a 120-epoch recipe used to keep 10 warm-up epochs, so the rate
    /// never reached its value; the schedule now follows the epochs, and one that cannot is refused.
    func testTheScheduleFollowsTheEpochsOrIsRefused() throws {
        let recipe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/supervised.yaml").path
        let tiny = ["--data", TrainerTests.dataset, "--config", recipe, "--set", "model.backbone=osnet_x0_25",
                    "--set", "data.height=64", "--set", "data.width=32", "--set", "data.identitiesPerBatch=4",
                    "--set", "data.instancesPerIdentity=4", "--set", "training.itersPerEpoch=1", "--set", "training.evalEvery=-1"]
        let r = try run(["train", "--out", folder + "/short", "--set", "training.epochs=2"] + tiny)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("schedule scaled from 120 to 2 epochs: warm-up 0 (was 10), milestones [1, 1]"), r.err)
        let written = try String(contentsOfFile: folder + "/short/config.yaml", encoding: .utf8)
        XCTAssertTrue(written.contains("warmupEpochs: 0"), written)

        let refused = try run(["train", "--out", folder + "/warm", "--set", "training.epochs=2",
                               "--set", "schedule.warmupEpochs=5"] + tiny)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("schedule.warmupEpochs 5") && refused.err.contains("training.epochs 2"), refused.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/warm"))
    }

    /// A registry backbone without weights used to extract random features with only a warning.
    func testABackboneWithoutWeightsIsRefusedUnlessRandomInitIsAsked() throws {
        let out = folder!
        for command: [String] in [["extract", "--model", "osnet_x0_25", "--images", out, "--out", out + "/f.safetensors"],
                                  ["evaluate", "--dataset", out, "--model", "resnet50"],
                                  ["index", "build", "--gallery", out, "--model", "mobilenetv2", "--db", out + "/g.sqlite"],
                                  ["export", "--model", "osnet_x0_25", "--out", out + "/m.onnx"]] {
            let r = try run(command)
            XCTAssertNotEqual(r.status, 0, command.joined(separator: " "))
            XCTAssertTrue(r.err.contains("--weights") && r.err.contains("--random-init"), r.err)
            let allowed = try run(command + ["--random-init"])
            XCTAssertFalse(allowed.err.contains("random weights, whose features"), allowed.err)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/g.sqlite"))
    }

    /// The same trap in a training config: data.height and data.width swapped.
    func testASwappedTrainingSizeIsRefused() throws {
        let r = try run(["train", "--data", TrainerTests.dataset, "--out", folder + "/swapped",
                         "--set", "data.height=64", "--set", "data.width=128"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("data.width") && r.err.contains("swap them"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/swapped"))
    }
}

/// One vocabulary: every command that runs a model takes `--device`, spelled and checked alike.
extension CLITests {
    func testEveryCommandThatRunsAModelTakesTheSameDeviceOption() throws {
        let commands: [[String]] = [["extract"], ["evaluate"], ["index", "build"], ["index", "add"], ["search"], ["serve"],
                                    ["bench", "infer"], ["train"]]
        for command in commands {
            let help = try run(command + ["--help"])
            XCTAssertTrue(help.out.contains("--device <device>"), "\(command.joined(separator: " ")) has no --device")
        }
        let out = folder!
        for command: [String] in [["extract", "--model", "osnet_x0_25", "--random-init", "--images", out, "--out", out + "/f.safetensors"],
                                  ["index", "build", "--images", out, "--model", "color-histogram", "--db", out + "/g.sqlite"],
                                  ["train", "--data", out, "--out", out + "/run"]] {
            let r = try run(command + ["--device", "tpu"])
            XCTAssertNotEqual(r.status, 0, command[0])
            XCTAssertTrue(r.err.contains("--device tpu") && r.err.contains("cuda:N"), r.err)
        }
    }
}
