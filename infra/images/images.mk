# Container images, built on this machine with no registry (included from the top Makefile).
#   make images        docker.io if absent, dockerd if stopped, local base images, the three
#                      services and PostgreSQL; prints their sizes
#   make test-images   the images on one Docker network under the cluster's DNS names,
#                      driven through register -> items (builds the images first)
# TAG (default dev) and SERVICES (default "gateway roadmap identity") narrow a build.

IMAGES_DIR := infra/images

.PHONY: images images-base test-images

images: ## Build the service and PostgreSQL images locally (installs and starts Docker if needed)
	$(IMAGES_DIR)/build-images.sh

images-base: ## Only the local base images (Node runtime/build, PostgreSQL)
	$(IMAGES_DIR)/ensure-docker.sh
	$(IMAGES_DIR)/build-base.sh
	$(IMAGES_DIR)/build-postgres.sh

test-images: images ## Run the images on one Docker network and drive register -> items through the gateway
	$(IMAGES_DIR)/test-images.sh
