import XCTest
@testable import Torch

/// Autograd through the layers against central finite differences, in float64.
final class GradientCheckTests: XCTestCase {
    /// A small deterministic generator for picking coordinates.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Checks d loss / d t for `coordinates` random entries of every tensor in `tensors`, where
    /// loss = Σ layer(input) ⊙ R for a fixed random R (so that no gradient is trivially zero).
    private func checkGradients(_ label: String, layer: any Layer, input: Tensor, coordinates: Int = 6,
                                step: Double = 1e-6, tolerance: Double = 1e-4) throws {
        Runtime.seed(7)
        try layer.to(.float64)
        input.requiresGrad = true
        let weights = try Tensor.randn(try layer(input).shape, dtype: .float64)
        func loss() throws -> Tensor { try (layer(input) * weights).sum() }

        try loss().backward()
        var tensors: [(String, Tensor)] = [("input", input)]
        tensors += layer.namedParameters().map { ($0.name, $0.tensor) }
        var rng = SplitMix(state: 42)
        for (name, tensor) in tensors {
            let analytic = try XCTUnwrap(tensor.grad, "\(label): no gradient for \(name)").toArray(Double.self)
            var values = try tensor.toArray(Double.self)
            let shape = tensor.shape
            func set(_ v: [Double]) throws { try withNoGrad { try tensor.copy_(Tensor(v, shape: shape)) } }
            for _ in 0..<coordinates {
                let i = Int.random(in: 0..<values.count, using: &rng)
                let original = values[i]
                values[i] = original + step
                try set(values)
                let plus = try withNoGrad { try loss().item() }
                values[i] = original - step
                try set(values)
                let minus = try withNoGrad { try loss().item() }
                values[i] = original
                try set(values)
                let numeric = (plus - minus) / (2 * step)
                let scale = max(abs(analytic[i]), abs(numeric), 1e-3)
                XCTAssertLessThanOrEqual(abs(analytic[i] - numeric) / scale, tolerance,
                                         "\(label) d/d\(name)[\(i)]: autograd \(analytic[i]), finite difference \(numeric)")
            }
        }
    }

    func testConv2d() throws {
        Runtime.seed(1)
        let conv = try Conv2d(3, 4, kernel: 3, stride: 2, padding: 1, bias: true)
        try checkGradients("Conv2d", layer: conv, input: Tensor.randn([2, 3, 5, 5], dtype: .float64))
    }

    func testDepthwiseConv2d() throws {
        Runtime.seed(2)
        let conv = try Conv2d(4, 4, kernel: 3, padding: 1, groups: 4)
        try checkGradients("depthwise Conv2d", layer: conv, input: Tensor.randn([2, 4, 4, 4], dtype: .float64))
    }

    func testBatchNorm2dInTrainingMode() throws {
        Runtime.seed(3)
        let bn = try BatchNorm2d(3)
        try withNoGrad {
            try bn.weight!.uniform_(0.5, 1.5)
            try bn.bias!.uniform_(-0.5, 0.5)
        }
        bn.train()
        try checkGradients("BatchNorm2d", layer: bn, input: Tensor.randn([4, 3, 3, 3], dtype: .float64) * 2 + 1)
    }

    func testLinear() throws {
        Runtime.seed(4)
        try checkGradients("Linear", layer: try Linear(5, 3), input: Tensor.randn([4, 5], dtype: .float64))
    }
}
