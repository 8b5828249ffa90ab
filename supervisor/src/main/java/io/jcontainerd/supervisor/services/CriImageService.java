package io.jcontainerd.supervisor.services;

import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.cri.v1.FilesystemIdentifier;
import io.jcontainerd.api.cri.v1.FilesystemUsage;
import io.jcontainerd.api.cri.v1.Image;
import io.jcontainerd.api.cri.v1.ImageFsInfoRequest;
import io.jcontainerd.api.cri.v1.ImageFsInfoResponse;
import io.jcontainerd.api.cri.v1.ImageServiceGrpc;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.ImageStatusRequest;
import io.jcontainerd.api.cri.v1.ImageStatusResponse;
import io.jcontainerd.api.cri.v1.Int64Value;
import io.jcontainerd.api.cri.v1.ListImagesRequest;
import io.jcontainerd.api.cri.v1.ListImagesResponse;
import io.jcontainerd.api.cri.v1.PullImageRequest;
import io.jcontainerd.api.cri.v1.PullImageResponse;
import io.jcontainerd.api.cri.v1.RemoveImageRequest;
import io.jcontainerd.api.cri.v1.RemoveImageResponse;
import io.jcontainerd.api.cri.v1.UInt64Value;
import io.jcontainerd.supervisor.cri.CriAuth;
import io.jcontainerd.supervisor.cri.CriImage;
import io.jcontainerd.supervisor.cri.CriImages;
import io.jcontainerd.supervisor.grpc.Rpc;

/**
 * runtime.v1.ImageService (Kubernetes CRI) over {@link CriImages}. StreamImages answers
 * UNIMPLEMENTED (not overridden).
 */
public final class CriImageService extends ImageServiceGrpc.ImageServiceImplBase {
    private final CriImages images;

    public CriImageService(CriImages images) {
        this.images = images;
    }

    @Override
    public void listImages(ListImagesRequest req, StreamObserver<ListImagesResponse> observer) {
        Rpc.unary(observer, () -> ListImagesResponse.newBuilder()
                .addAllImages(images.list(req.getFilter().getImage().getImage()).stream().map(CriImageService::toProto).toList()).build());
    }

    /** ListImages' items in messages of at most 500. */
    @Override
    public void streamImages(io.jcontainerd.api.cri.v1.StreamImagesRequest req,
                             StreamObserver<io.jcontainerd.api.cri.v1.StreamImagesResponse> observer) {
        Rpc.batches(observer, () -> images.list(req.getFilter().getImage().getImage()).stream().map(CriImageService::toProto).toList(),
                b -> io.jcontainerd.api.cri.v1.StreamImagesResponse.newBuilder().addAllImages(b).build());
    }

    @Override
    public void imageStatus(ImageStatusRequest req, StreamObserver<ImageStatusResponse> observer) {
        Rpc.unary(observer, () -> {
            ImageStatusResponse.Builder b = ImageStatusResponse.newBuilder();
            images.find(req.getImage().getImage()).ifPresent(i -> b.setImage(toProto(i)));
            return b.build();
        });
    }

    @Override
    public void pullImage(PullImageRequest req, StreamObserver<PullImageResponse> observer) {
        Rpc.unary(observer, () -> {
            var a = req.getAuth();
            CriAuth auth = new CriAuth(a.getUsername(), a.getPassword(), a.getAuth(), a.getServerAddress(),
                    a.getIdentityToken(), a.getRegistryToken());
            return PullImageResponse.newBuilder().setImageRef(images.pull(req.getImage().getImage(), auth.credentials().orElse(null)).id()).build();
        });
    }

    @Override
    public void removeImage(RemoveImageRequest req, StreamObserver<RemoveImageResponse> observer) {
        Rpc.unary(observer, () -> {
            images.remove(req.getImage().getImage());
            return RemoveImageResponse.getDefaultInstance();
        });
    }

    @Override
    public void imageFsInfo(ImageFsInfoRequest req, StreamObserver<ImageFsInfoResponse> observer) {
        Rpc.unary(observer, () -> {
            CriImages.FsUsage u = images.fsUsage();
            return ImageFsInfoResponse.newBuilder().addImageFilesystems(FilesystemUsage.newBuilder()
                    .setTimestamp(System.currentTimeMillis() * 1_000_000L)
                    .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(u.mountpoint()))
                    .setUsedBytes(UInt64Value.newBuilder().setValue(u.usedBytes()))
                    .setInodesUsed(UInt64Value.newBuilder().setValue(u.inodesUsed()))).build();
        });
    }

    static Image toProto(CriImage i) {
        Image.Builder b = Image.newBuilder().setId(i.id()).addAllRepoTags(i.repoTags()).addAllRepoDigests(i.repoDigests())
                .setSize(i.size()).setSpec(ImageSpec.newBuilder().setImage(i.id()));
        String user = i.config().config().user();
        String uid = user.split(":", 2)[0];
        if (uid.matches("\\d{1,10}")) {
            b.setUid(Int64Value.newBuilder().setValue(Long.parseLong(uid)));
        } else if (!uid.isEmpty()) {
            b.setUsername(uid);
        } else {
            b.setUid(Int64Value.newBuilder().setValue(0));
        }
        return b.build();
    }
}
