// Video decoding (OpenCV videoio) and HOG people detection (OpenCV objdetect); see ctorch_video.h.
#include "ctorch.h"
#include "ctorch_video.h"
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/videoio.hpp>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace ctorch {
void set_error(const char *msg);
}
using ctorch::set_error;

struct ct_video_s {
    cv::VideoCapture capture;
};

extern "C" {

ct_video ct_video_open(const char *path) {
    try {
        auto *v = new ct_video_s();
        if (!v->capture.open(path)) {
            delete v;
            set_error((std::string("cannot open video ") + path +
                       " (missing, unreadable, or a container/codec OpenCV cannot decode)").c_str());
            return nullptr;
        }
        return v;
    } catch (const std::exception &e) {
        set_error((std::string("cannot open video ") + path + ": " + e.what()).c_str());
        return nullptr;
    }
}

void ct_video_close(ct_video video) { delete video; }

int ct_video_info(ct_video video, double *fps, int64_t *frames) {
    *fps = video->capture.get(cv::CAP_PROP_FPS);
    *frames = static_cast<int64_t>(video->capture.get(cv::CAP_PROP_FRAME_COUNT));
    return 0;
}

int ct_video_read(ct_video video, uint8_t **pixels, int *height, int *width) {
    try {
        cv::Mat bgr;
        if (!video->capture.read(bgr) || bgr.empty()) return 0;
        cv::Mat rgb;
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        size_t n = rgb.total() * 3;
        *pixels = static_cast<uint8_t *>(std::malloc(n));
        for (int r = 0; r < rgb.rows; ++r) std::memcpy(*pixels + r * rgb.cols * 3, rgb.ptr(r), rgb.cols * 3);
        *height = rgb.rows;
        *width = rgb.cols;
        return 1;
    } catch (const std::exception &e) {
        set_error((std::string("cannot decode a video frame: ") + e.what()).c_str());
        return -1;
    }
}

int ct_hog_detect_people(const uint8_t *pixels, int height, int width, double upscale, double hit_threshold,
                         int win_stride, double scale, float **boxes, int *count) {
    try {
        if (upscale <= 0 || scale <= 1 || win_stride <= 0) {
            set_error("HOG detection needs upscale > 0, scale > 1 and win_stride > 0");
            return -1;
        }
        static thread_local cv::HOGDescriptor hog = [] {
            cv::HOGDescriptor h;
            h.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
            return h;
        }();
        cv::Mat rgb(height, width, CV_8UC3, const_cast<uint8_t *>(pixels));
        cv::Mat input;
        if (upscale != 1.0) {
            cv::resize(rgb, input, cv::Size(), upscale, upscale, cv::INTER_LINEAR);
        } else {
            input = rgb;
        }
        std::vector<cv::Rect> found;
        std::vector<double> weights;
        hog.detectMultiScale(input, found, weights, hit_threshold, cv::Size(win_stride, win_stride), cv::Size(8, 8),
                             scale, 2.0, false);
        *count = static_cast<int>(found.size());
        *boxes = static_cast<float *>(std::malloc(sizeof(float) * 5 * std::max<size_t>(found.size(), 1)));
        for (size_t i = 0; i < found.size(); ++i) {
            const cv::Rect &r = found[i];
            (*boxes)[5 * i + 0] = static_cast<float>(r.x / upscale);
            (*boxes)[5 * i + 1] = static_cast<float>(r.y / upscale);
            (*boxes)[5 * i + 2] = static_cast<float>(r.width / upscale);
            (*boxes)[5 * i + 3] = static_cast<float>(r.height / upscale);
            (*boxes)[5 * i + 4] = static_cast<float>(i < weights.size() ? weights[i] : 0.0);
        }
        return 0;
    } catch (const std::exception &e) {
        set_error((std::string("HOG people detection failed: ") + e.what()).c_str());
        return -1;
    }
}

} // extern "C"
