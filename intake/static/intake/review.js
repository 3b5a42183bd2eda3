// Article intake review: dim rejected proposals and outline the excerpt of the one in focus.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
    const proposals = document.querySelectorAll(".intake-proposal");
    const excerpt = (index) => document.getElementById(`excerpt-${index}`);
    proposals.forEach((proposal) => {
        const index = proposal.dataset.proposal;
        const update = () => {
            const rejected = proposal.querySelector("input[value=reject]:checked") !== null;
            proposal.classList.toggle("intake-rejected", rejected);
        };
        proposal.addEventListener("change", update);
        proposal.addEventListener("focusin", () => {
            document.querySelectorAll(".intake-active").forEach((m) => m.classList.remove("intake-active"));
            const mark = excerpt(index);
            if (mark) {
                mark.classList.add("intake-active");
                mark.scrollIntoView({ block: "nearest" });
            }
        });
        update();
    });
});
