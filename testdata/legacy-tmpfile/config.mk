# The site's settings (optional): the base image of the repo's images.
FROM = busybox:latest
