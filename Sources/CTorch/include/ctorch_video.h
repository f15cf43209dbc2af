// CTorch video: decoding frames with OpenCV videoio and finding people with OpenCV's HOG
// people detector (Dalal & Triggs, cv::HOGDescriptor::getDefaultPeopleDetector).
//
// Frames cross the ABI as RGB uint8 HWC in a malloc'd buffer (free with ct_free), as the
// images of ctorch.h do. Errors follow ctorch.h (0 / -1 or NULL, and ct_last_error()).
#ifndef CTORCH_VIDEO_H
#define CTORCH_VIDEO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_video_s *ct_video;

// Opens a video file (any container and codec the installed OpenCV backends decode).
ct_video ct_video_open(const char *path);
void ct_video_close(ct_video video);

// Frames per second and frame count as the container reports them (either may be 0 when unknown).
int ct_video_info(ct_video video, double *fps, int64_t *frames);

// The next frame: returns 1 with a frame, 0 at the end of the video, -1 on error.
int ct_video_read(ct_video video, uint8_t **pixels, int *height, int *width);

// HOG people detection on an RGB uint8 HWC image. The image is scaled by `upscale` first
// (people shorter than the 128-pixel detection window are missed otherwise); boxes come back
// in the original image's pixels. `hit_threshold` is the SVM score a window needs, `win_stride`
// the window step in pixels, `scale` the pyramid step (> 1). Writes a malloc'd array of
// *count boxes, 5 floats each: x, y, width, height, score (free with ct_free).
int ct_hog_detect_people(const uint8_t *pixels, int height, int width, double upscale, double hit_threshold,
                         int win_stride, double scale, float **boxes, int *count);

#ifdef __cplusplus
}
#endif
#endif
