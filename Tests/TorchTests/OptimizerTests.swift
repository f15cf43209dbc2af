import Foundation
import XCTest
@testable import Torch

final class OptimizerTests: XCTestCase {
    /// Minimises (w - 3)^2; every optimiser must move w towards 3.
    func converge(_ make: ([Tensor]) throws -> Optimizer) throws -> Double {
        let w = try Tensor.zeros([1])
        w.requiresGrad = true
        let opt = try make([w])
        for _ in 0..<200 {
            try opt.zeroGrad()
            try (w - 3).square().sum().backward()
            try opt.step()
        }
        return try w.item()
    }

    func testAdamAdamWAndSGDConverge() throws {
        XCTAssertEqual(try converge { try .adam($0, lr: 0.1) }, 3, accuracy: 0.05)
        XCTAssertEqual(try converge { try .adamW($0, lr: 0.1, weightDecay: 0) }, 3, accuracy: 0.05)
        XCTAssertEqual(try converge { try .sgd($0, lr: 0.1, momentum: 0.9) }, 3, accuracy: 0.05)
    }

    func testAdamFirstStepMatchesDefinition() throws {
        // Adam's first update is lr * sign(grad) (bias-corrected m/sqrt(v) = g/|g|).
        let w = try Tensor([1, -1] as [Float])
        w.requiresGrad = true
        let opt = try Optimizer.adam([w], lr: 0.01)
        try (w * w).sum().backward()
        try opt.step()
        let v = try w.floats()
        XCTAssertEqual(v[0], 0.99, accuracy: 1e-6)
        XCTAssertEqual(v[1], -0.99, accuracy: 1e-6)
    }

    func testWeightDecayAndParameterGroups() throws {
        let a = try Tensor.ones([1]), b = try Tensor.ones([1])
        a.requiresGrad = true
        b.requiresGrad = true
        let opt = try Optimizer.sgd([a], lr: 0.1, weightDecay: 0.5)
        try opt.addGroup([b], lr: 1.0, weightDecay: 0)
        XCTAssertEqual(opt.groupCount, 2)
        try (a.sum() + b.sum()).backward()
        try opt.step()
        // a: 1 - 0.1 * (1 + 0.5 * 1) = 0.85; b: 1 - 1.0 * 1 = 0
        XCTAssertEqual(try a.item(), 0.85, accuracy: 1e-6)
        XCTAssertEqual(try b.item(), 0, accuracy: 1e-6)
        try opt.scaleLearningRates(by: 0.5)
        XCTAssertEqual(opt.learningRate(group: 0), 0.05, accuracy: 1e-12)
        XCTAssertEqual(opt.learningRate(group: 1), 0.5, accuracy: 1e-12)
        XCTAssertThrowsError(try opt.setLearningRate(1, group: 5))
    }

    func testStateSaveAndLoadResumesIdentically() throws {
        func run(steps: Int, resumeAt: Int?) throws -> Float {
            Runtime.seed(1)
            let w = try Tensor.randn([4])
            w.requiresGrad = true
            var opt = try Optimizer.adam([w], lr: 0.05)
            let path = NSTemporaryDirectory() + "opt-\(UUID().uuidString).pt"
            defer { try? FileManager.default.removeItem(atPath: path) }
            for step in 0..<steps {
                if step == resumeAt {
                    try opt.save(to: path)
                    opt = try Optimizer.adam([w], lr: 0.05)
                    try opt.load(from: path)
                }
                try opt.zeroGrad()
                try (w - 1).pow(4).sum().backward()
                try opt.step()
            }
            return try w.floats().reduce(0, +)
        }
        XCTAssertEqual(try run(steps: 10, resumeAt: nil), try run(steps: 10, resumeAt: 5))
        XCTAssertNotEqual(try run(steps: 10, resumeAt: nil), try run(steps: 9, resumeAt: nil))
    }

    func testScheduleWarmupStepAndCosine() {
        let step = LRSchedule(decay: .step, warmupEpochs: 10, warmupFactor: 0.01, milestones: [40, 70], gamma: 0.1)
        XCTAssertEqual(step.factor(epoch: 0), 0.01, accuracy: 1e-12)
        XCTAssertEqual(step.factor(epoch: 5), 0.505, accuracy: 1e-12)
        XCTAssertEqual(step.factor(epoch: 10), 1, accuracy: 1e-12)
        XCTAssertEqual(step.factor(epoch: 40), 0.1, accuracy: 1e-12)
        XCTAssertEqual(step.factor(epoch: 75), 0.01, accuracy: 1e-12)
        let cosine = LRSchedule(decay: .cosine, warmupEpochs: 0, totalEpochs: 100)
        XCTAssertEqual(cosine.factor(epoch: 0), 1, accuracy: 1e-12)
        XCTAssertEqual(cosine.factor(epoch: 50), 0.5, accuracy: 1e-12)
        XCTAssertEqual(cosine.factor(epoch: 100), 0, accuracy: 1e-12)
    }
}
