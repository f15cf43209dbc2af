import XCTest
@testable import Torch

/// A small module tree with the shapes of naming that torchvision uses.
private final class Block: Layer {
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let downsample: Sequential?
    init(withDownsample: Bool) throws {
        conv1 = try Conv2d(3, 4, kernel: 3, padding: 1)
        bn1 = try BatchNorm2d(4)
        downsample = withDownsample ? Sequential(try Conv2d(3, 4, kernel: 1), try BatchNorm2d(4)) : nil
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try bn1(conv1(x))
        return try (y + (downsample.map { try $0(x) } ?? x)).relu()
    }
}

private final class Net: Module {
    let layer1: Sequential
    let blocks: [Block]
    let fc: Linear
    init() throws {
        layer1 = Sequential(try Conv2d(3, 3, kernel: 1, bias: true), Lambda.relu)
        blocks = [try Block(withDownsample: true), try Block(withDownsample: false)]
        fc = try Linear(4, 2)
    }
}

final class ModuleTests: XCTestCase {
    func testNamesFollowPyTorch() throws {
        let names = Set(try Net().stateDict().keys)
        for expected in ["layer1.0.weight", "layer1.0.bias", "blocks.0.conv1.weight", "blocks.0.bn1.running_mean",
                         "blocks.0.bn1.num_batches_tracked", "blocks.0.downsample.0.weight",
                         "blocks.0.downsample.1.running_var", "blocks.1.bn1.weight", "fc.weight", "fc.bias"] {
            XCTAssertTrue(names.contains(expected), "missing \(expected) in \(names.sorted())")
        }
        XCTAssertFalse(names.contains("blocks.1.downsample.0.weight"))
        XCTAssertFalse(names.contains("blocks.0.conv1.bias"), "bias=false must not create a tensor")
    }

    func testParametersExcludeBuffers() throws {
        let net = try Net()
        let params = Set(net.namedParameters().map(\.name))
        XCTAssertTrue(params.contains("blocks.0.bn1.weight"))
        XCTAssertFalse(params.contains("blocks.0.bn1.running_mean"))
        let frozen = net.namedParameters().filter { !$0.tensor.requiresGrad }.map(\.name)
        XCTAssertEqual(frozen, [])
    }

    func testTrainEvalReachesNestedModules() throws {
        let net = try Net()
        net.eval()
        XCTAssertFalse(net.blocks[0].bn1.isTraining)
        XCTAssertFalse((net.blocks[0].downsample!.layers[1] as! BatchNorm2d).isTraining)
        net.train()
        XCTAssertTrue(net.blocks[1].bn1.isTraining)
    }

    func testLoadStateDictCopiesAndReportsMismatches() throws {
        let a = try Net(), b = try Net()
        try b.load(stateDict: a.stateDict(), source: "a")
        XCTAssertEqual(try b.fc.weight.floats(), try a.fc.weight.floats())

        var wrong = a.stateDict()
        wrong["fc.weight"] = try Tensor.zeros([3, 4])
        wrong["extra.weight"] = try Tensor.zeros([1])
        wrong["blocks.0.conv1.weight"] = nil
        XCTAssertThrowsError(try b.load(stateDict: wrong, source: "wrong.safetensors")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("wrong.safetensors"), text)
            XCTAssertTrue(text.contains("fc.weight: model has shape [2, 4], weights have [3, 4]"), text)
            XCTAssertTrue(text.contains("extra.weight: in the weights but not in the model"), text)
            XCTAssertTrue(text.contains("blocks.0.conv1.weight: in the model but not in the weights"), text)
        }
    }

    func testBatchNormUpdatesRunningStatsOnlyInTraining() throws {
        let bn = try BatchNorm2d(2)
        let x = try Tensor.randn([4, 2, 3, 3]) * 3 + 5
        bn.eval()
        _ = try bn(x)
        XCTAssertEqual(try bn.runningMean.floats(), [0, 0])
        bn.train()
        _ = try bn(x)
        XCTAssertGreaterThan(try bn.runningMean.floats()[0], 0.2)
    }

    func testSubBatchBatchNormNormalisesEachGroup() throws {
        let bn = try BatchNorm2d(1, affine: false)
        bn.subBatch = 2
        let low = try Tensor.randn([2, 1, 4, 4]), high = try Tensor.randn([2, 1, 4, 4]) + 100
        let y = try bn(Tensor.cat([low, high]))
        let halves = try y.split(size: 2)
        XCTAssertEqual(try halves[1].mean().item(), 0, accuracy: 1e-4, "each group is centred by its own mean")
    }
}
