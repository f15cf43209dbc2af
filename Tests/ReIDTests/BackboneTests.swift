import XCTest
import Torch
@testable import ReID

/// Shapes, parameter counts and PyTorch names of every backbone, on tiny inputs.
final class BackboneTests: XCTestCase {
    let input = [2, 3, 64, 32]

    override func setUp() {
        Runtime.seed(0)
    }

    private func mapShape(_ backbone: any Backbone) throws -> [Int] {
        backbone.eval()
        return try withNoGrad { try backbone(Tensor.randn(input)).shape }
    }

    func testResNet50ShapeParametersAndLastStride() throws {
        let net = try ResNet50(lastStride: 1)
        // torchvision's resnet50 has 25,557,032 parameters, 2,049,000 of them in fc.
        XCTAssertEqual(net.parameterCount, 25_557_032 - 2_049_000)
        XCTAssertEqual(net.featureChannels, 2048)
        XCTAssertEqual(try mapShape(net), [2, 2048, 4, 2], "last stride 1: H/16 × W/16")
        XCTAssertEqual(try mapShape(ResNet50(lastStride: 2)), [2, 2048, 2, 1], "last stride 2: H/32 × W/32")
        XCTAssertThrowsError(try ResNet50(lastStride: 3))
    }

    func testResNet50NamesAreTorchvisions() throws {
        let names = Set(try ResNet50().stateDict().keys)
        XCTAssertEqual(names.count, 318, "torchvision's 320 state-dict entries minus fc.weight and fc.bias")
        for name in ["conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer1.0.bn3.num_batches_tracked",
                     "layer1.0.downsample.0.weight", "layer1.0.downsample.1.running_var", "layer2.3.conv2.weight",
                     "layer3.5.bn2.bias", "layer4.0.downsample.0.weight", "layer4.2.conv3.weight"] {
            XCTAssertTrue(names.contains(name), "missing \(name)")
        }
        XCTAssertFalse(names.contains("layer1.1.downsample.0.weight"))
        XCTAssertFalse(names.contains("fc.weight"))
    }

    func testResNet50StrideSitsOnThe3x3ConvAndInitIsKaimingFanOut() throws {
        let net = try ResNet50()
        let block = try XCTUnwrap(net.layer2.layers[0] as? ResNetBottleneck)
        XCTAssertEqual(block.conv1.stride.0, 1)
        XCTAssertEqual(block.conv2.stride.0, 2, "torchvision v1.5 strides the 3×3 convolution")
        let last = try XCTUnwrap(net.layer4.layers[0] as? ResNetBottleneck)
        XCTAssertEqual(last.conv2.stride.0, 1, "lastStride 1")
        // Kaiming normal, fan-out, ReLU gain: std = sqrt(2 / (64 · 7 · 7)).
        let std = try net.conv1.weight.std().item()
        XCTAssertEqual(std, (2.0 / (64 * 49)).squareRoot(), accuracy: 0.002)
        XCTAssertEqual(try net.layer1[0].bn1Weight().floats().allSatisfy { $0 == 1 }, true)
    }

    func testIBNNet50aNamesShapesAndParameters() throws {
        let net = try ResNet50(lastStride: 1, variant: .ibnA)
        XCTAssertEqual(net.parameterCount, 23_508_032, "IBN splits the first norm; the affine count is unchanged")
        let state = net.stateDict()
        XCTAssertEqual(state["layer1.0.bn1.IN.weight"]?.shape, [32], "half of the 64 planes")
        XCTAssertEqual(state["layer1.0.bn1.BN.running_mean"]?.shape, [32])
        XCTAssertEqual(state["layer3.5.bn1.IN.bias"]?.shape, [128])
        XCTAssertEqual(state["layer3.5.bn1.BN.weight"]?.shape, [128])
        XCTAssertNil(state["layer1.0.bn1.weight"])
        XCTAssertNil(state["layer1.0.bn1.IN.running_mean"], "affine instance norm keeps no running statistics")
        XCTAssertEqual(state["layer4.0.bn1.weight"]?.shape, [512], "layer4 has no IBN")
        XCTAssertNil(state["layer4.0.bn1.IN.weight"])
        XCTAssertEqual(try mapShape(net), [2, 2048, 4, 2])
        XCTAssertEqual(try mapShape(ResNet50(lastStride: 2, variant: .ibnA)), [2, 2048, 2, 1])
    }

    func testMobileNetV2ShapeParametersAndNames() throws {
        let net = try MobileNetV2()
        // torchvision's mobilenet_v2 has 3,504,872 parameters, 1,281,000 of them in the classifier.
        XCTAssertEqual(net.parameterCount, 3_504_872 - 1_281_000)
        XCTAssertEqual(try mapShape(net), [2, 1280, 2, 1])
        XCTAssertEqual(try mapShape(MobileNetV2(lastStride: 1)), [2, 1280, 4, 2])
        let state = net.stateDict()
        XCTAssertEqual(state.count, 312)
        XCTAssertEqual(state["features.1.conv.3.weight"]?.shape, [16, 32, 1, 1], "expand ratio 1: project at conv.3")
        XCTAssertEqual(state["features.2.conv.3.weight"]?.shape, [96, 1, 3, 3], "depthwise at conv.3")
        XCTAssertEqual(state["features.17.conv.7.running_var"]?.shape, [320])
        XCTAssertEqual(state["features.18.0.weight"]?.shape, [1280, 320, 1, 1])
    }

    /// torchreid reports 2.2M, 1.3M, 0.6M and 0.2M parameters for OSNet x1.0 … x0.25, counting its
    /// 512-d embedding `fc` (Linear + BatchNorm1d) but not the classifier. The backbone stops at
    /// conv5, so the check adds that fc back.
    func testOSNetShapesAndParametersMatchTorchreid() throws {
        let published: [(OSNet.Width, Double, Int)] = [
            (.x1_0, 2.2e6, 1_905_828), (.x0_75, 1.3e6, 1_087_610), (.x0_5, 0.6e6, 497_426), (.x0_25, 0.2e6, 134_792),
        ]
        for (width, millions, exact) in published {
            let net = try OSNet(width: width)
            let c = net.featureChannels
            XCTAssertEqual(c, width.channels[3])
            XCTAssertEqual(net.parameterCount, exact, "\(width)")
            let withEmbedding = net.parameterCount + c * 512 + 512 + 2 * 512
            XCTAssertEqual(Double(withEmbedding), millions, accuracy: 0.05e6, "\(width)")
            XCTAssertEqual(try mapShape(net), [2, c, 4, 2], "\(width): H/16 × W/16")
        }
    }

    func testOSNetNamesAreTorchreids() throws {
        let state = try OSNet(width: .x0_25).stateDict()
        let expected: [String: [Int]] = [
            "conv1.conv.weight": [16, 3, 7, 7], "conv1.bn.running_mean": [16],
            "conv2.0.conv1.conv.weight": [16, 16, 1, 1],
            "conv2.0.conv2a.conv1.weight": [16, 16, 1, 1], "conv2.0.conv2a.conv2.weight": [16, 1, 3, 3],
            "conv2.0.conv2a.bn.weight": [16], "conv2.0.conv2b.1.conv1.weight": [16, 16, 1, 1],
            "conv2.0.conv2d.3.bn.bias": [16], "conv2.0.gate.fc1.weight": [1, 16, 1, 1],
            "conv2.0.gate.fc1.bias": [1], "conv2.0.gate.fc2.weight": [16, 1, 1, 1],
            "conv2.0.conv3.conv.weight": [64, 16, 1, 1], "conv2.0.downsample.conv.weight": [64, 16, 1, 1],
            "conv2.0.downsample.bn.running_var": [64], "conv2.2.0.conv.weight": [64, 64, 1, 1],
            "conv3.0.conv2c.2.conv2.weight": [24, 1, 3, 3], "conv3.2.0.bn.weight": [96],
            "conv4.1.gate.fc2.bias": [32], "conv5.conv.weight": [128, 128, 1, 1], "conv5.bn.num_batches_tracked": [],
        ]
        for (name, shape) in expected {
            XCTAssertEqual(state[name]?.shape, shape, name)
        }
        XCTAssertNil(state["conv2.1.downsample.conv.weight"], "same channels: no projection")
        XCTAssertNil(state["conv4.2.0.conv.weight"], "conv4 keeps its size: no transition")
    }

    func testEvalReachesNormsInsideIBNAndOSNet() throws {
        let ibn = try ResNet50(variant: .ibnA)
        ibn.eval()
        let bns = ibn.namedModules().compactMap { $0.module as? BatchNorm }
        XCTAssertFalse(bns.isEmpty)
        XCTAssertTrue(bns.allSatisfy { !$0.isTraining })
        let block = try XCTUnwrap(ibn.layer1.layers[0] as? ResNetBottleneck)
        XCTAssertFalse(try XCTUnwrap(block.bn1 as? IBN).BN.isTraining)
    }
}

private extension Sequential {
    subscript(_ i: Int) -> ResNetBottleneck { layers[i] as! ResNetBottleneck }
}

private extension ResNetBottleneck {
    func bn1Weight() throws -> Tensor { try XCTUnwrap((bn1 as? BatchNorm)?.weight) }
}
